// The sieve's queue and sender in Node against real local collectors: batches, the bound, re-queueing,
// splitting to the keepalive limit, and the page-hide path (with a window-like event target; chromium
// covers the real beacon in test/browser.test.ts).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { listen, type Running, recorder } from '../test/http.js'
import { encodeJson } from './otlp.js'
import { createBrowserSieve, KEEPALIVE_MAX_BYTES } from './sieve.js'
import type { BrowserSieve, BrowserSieveOptions } from './types.js'

let collector: Awaited<ReturnType<typeof recorder>>
let failing: Running & { hits: number }
beforeAll(async () => {
  collector = await recorder()
  let hits = 0
  const server = await listen((_req, res) => {
    hits++
    res.writeHead(503).end()
  })
  failing = {
    ...server,
    get hits() {
      return hits
    },
  }
})
afterAll(() => Promise.all([collector.close(), failing.close()]))

let sieve: BrowserSieve | undefined
afterEach(async () => {
  await sieve?.shutdown()
  sieve = undefined
})

/** A sieve sending JSON to `path` on the collector (or to `url`), with timers far away. */
function start(options: Partial<BrowserSieveOptions> & { path?: string; url?: string }): BrowserSieve {
  const url = options.url ?? `${collector.url}${options.path}`
  sieve = createBrowserSieve({
    service: 'shop-web',
    endpoint: { url, format: encodeJson },
    flushIntervalMs: 600_000,
    ...options,
  })
  return sieve
}

const linesAt = (path: string) =>
  collector.requests
    .filter((r) => r.path === path)
    .map((r) => JSON.parse(r.body).lines as Array<{ msg: string }>)

describe('sending kept lines', () => {
  it('sends queued lines in batches of maxBatch, in order', async () => {
    const s = start({ path: '/batches', maxBatch: 4 })
    for (let i = 0; i < 9; i++) s.logger.warn(`retry ${i} for upload`)
    await s.flush()
    const batches = linesAt('/batches')
    expect(batches.map((b) => b.length)).toEqual([4, 4, 1])
    expect(batches.flat().map((l) => l.msg)).toEqual(
      Array.from({ length: 9 }, (_, i) => `retry ${i} for upload`),
    )
  })

  it('re-queues a failed batch in front of newer lines, within the bound', async () => {
    const s = start({ url: failing.url, maxQueue: 5 })
    for (const x of ['a', 'b', 'c']) s.logger.warn(`step ${x} failed`)
    await s.flush()
    expect(failing.hits).toBe(1)
    expect(s.dropped).toBe(0)
    for (const x of ['d', 'e', 'f']) s.logger.warn(`step ${x} failed`)
    // 3 back in the queue + 2 of the new ones: the sixth line found the queue full.
    expect(s.dropped).toBe(1)
    await s.flush()
    expect(failing.hits).toBe(2)
  })

  it('splits a batch until every request fits the keepalive/beacon size limit', async () => {
    const s = start({ path: '/split', maxBatch: 100 })
    const big = 'x'.repeat(KEEPALIVE_MAX_BYTES / 8)
    for (let i = 0; i < 20; i++) s.logger.warn(`${big} ${i}`)
    await s.flush()
    const bodies = collector.requests.filter((r) => r.path === '/split').map((r) => r.body)
    expect(bodies.length).toBeGreaterThan(1)
    for (const body of bodies) expect(body.length).toBeLessThanOrEqual(KEEPALIVE_MAX_BYTES)
    expect(linesAt('/split').flat()).toHaveLength(20)
  })

  it('on page hide, sends what is queued and drops (and counts) what fails, since nothing would send it later', async () => {
    // Node has no window: a stand-in event target where the sieve looks for addEventListener.
    const page = new EventTarget()
    const g = globalThis as { addEventListener?: unknown; removeEventListener?: unknown }
    g.addEventListener = page.addEventListener.bind(page)
    g.removeEventListener = page.removeEventListener.bind(page)
    try {
      const s = start({ url: failing.url })
      const before = failing.hits
      s.logger.warn('payment form abandoned at step 3')
      page.dispatchEvent(new Event('pagehide'))
      // The failed request settles after the server answered: wait for the count, not for a time.
      while (s.dropped === 0) await new Promise((r) => setTimeout(r, 10))
      expect(s.dropped).toBe(1)
      await s.flush()
      expect(failing.hits).toBe(before + 1) // nothing was re-queued
    } finally {
      delete g.addEventListener
      delete g.removeEventListener
    }
  })
})
