import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromiumSkip, launchChromium } from '../../../packages/browser/test/chromium.js'
import { titled } from '../../../test/support/requirement.js'
import { type ExampleServer, startExample } from '../src/serve.js'

describe('browser example', () => {
  let example: ExampleServer
  const printed: string[] = []
  beforeAll(async () => {
    example = await startExample(0, (line) => printed.push(line))
  }, 30_000)
  afterAll(() => example?.close())

  it('serves the page with its bundle and a working ingest key', async () => {
    const html = await (await fetch(example.url)).text()
    const { server, apiKey } = JSON.parse(/window\.LOGSIEVE = (.*)<\/script>/.exec(html)![1]!)
    expect(server).toBe(example.policyServer)
    const script = await (await fetch(`${example.url}/page.js`)).text()
    expect(script).toContain('traceparent')
    const policy = await fetch(`${server}/v1/policies/shop-web?environment=dev`, {
      headers: { authorization: `Bearer ${apiKey}`, origin: example.url },
    })
    expect(policy.status).toBe(200)
    expect(policy.headers.get('access-control-allow-origin')).toBe(example.url)
  })

  it('prints the lines that reach its sink, beacons (text/plain) included', async () => {
    const body = JSON.stringify({ service: 'shop-web', environment: 'dev', lines: [{ msg: 'hello' }] })
    const res = await fetch(`${example.url}/ingest/logs`, { method: 'POST', body })
    expect(res.status).toBe(204)
    expect(printed).toEqual([JSON.stringify({ msg: 'hello' })])
  })
})

describe.skipIf(chromiumSkip)(titled('browser example in chromium', chromiumSkip), () => {
  it('samples the noisy button, keeps the error, and sends the trace id to the backend', async () => {
    const printed: string[] = []
    const example = await startExample(0, (line) => printed.push(line))
    const browser = await launchChromium()
    try {
      const page = await browser.newPage()
      await page.goto(example.url)
      await page.click('#noise')
      await page.click('#fail')
      await page.click('#call')
      await page.waitForFunction(() => document.querySelector('#out')?.textContent?.includes('backend saw'))
      const out = (await page.textContent('#out')) ?? ''
      const pageTrace = /page trace ([0-9a-f]{32})/.exec(out)?.[1]
      expect(out).toMatch(new RegExp(`traceparent 00-${pageTrace}-[0-9a-f]{16}-01`))
      // A new pattern is kept at rate 1 but capped (newPattern.maxPerSecond, 20 by default).
      const kept = Number(/100 noisy lines, (\d+) kept/.exec(out)?.[1])
      expect(kept).toBeGreaterThan(0)
      expect(kept).toBeLessThan(100)
      // Closing the tab sends what is queued by beacon; the example server prints it.
      await page.close({ runBeforeUnload: true })
      const deadline = Date.now() + 10_000
      while (!printed.some((l) => l.includes('payment declined')) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50))
      }
      const error = printed.map((l) => JSON.parse(l)).find((l) => l.msg === 'payment declined')
      expect(error).toMatchObject({ level: 'error', provider: 'acme', trace_id: pageTrace })
    } finally {
      await browser.close()
      await example.close()
    }
  }, 30_000)
})
