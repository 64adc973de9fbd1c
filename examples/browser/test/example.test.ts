import { afterAll, beforeAll, describe, expect, it } from 'vitest'
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
