// Issue 14 item 3, server side: a service without any policy gets one generated soon after its first
// stats, not at the next generation interval, and SSE subscribers receive it at once; each next stats
// window settles it once more until it has SETTLING_POLICIES, then generation waits for the interval.
import { type Policy, SETTLING_POLICIES } from '@logsieve/core'
import { describe, expect, it } from 'vitest'
import { batch, sseReader, startTestServer } from './helpers.js'

describe('first policy', () => {
  it('is generated about firstPolicyDelayMs after the first stats and streamed, long before the interval', async () => {
    const t = await startTestServer({ generationIntervalMs: 600_000, firstPolicyDelayMs: 500 })
    try {
      const key = await t.server.createKey('ingest', ['fresh'])
      const res = await fetch(`${t.url}/v1/policies/fresh/stream?environment=prod&apiKey=${key}`)
      const sse = sseReader(res)
      expect(JSON.parse((await sse.next()).get('data')!).version).toBe(0)
      const sent = Date.now()
      const posted = await t.call('/v1/stats', { body: batch('fresh', [[1, 'info', 100, 100]]), key })
      expect(posted.status).toBe(202)
      const first = JSON.parse((await sse.next()).get('data')!) as Policy
      expect(first).toMatchObject({ version: 1, source: 'generated', service: 'fresh' })
      expect(Date.now() - sent).toBeLessThan(10_000)
      // The next stats settle it: the first policy saw seconds of a service that kept everything.
      for (let version = 2; version <= SETTLING_POLICIES; version++) {
        await t.call('/v1/stats', { body: batch('fresh', [[version, 'info', 100, 100]]), key })
        const settled = JSON.parse((await sse.next()).get('data')!) as Policy
        expect(settled).toMatchObject({ version, source: 'generated' })
        expect(settled.rules.map((r) => r.signature)).toContain(`000000000000000${version}`)
      }
      // Later stats wait for the interval.
      await t.call('/v1/stats', { body: batch('fresh', [[9, 'info', 100, 100]]), key })
      await new Promise((r) => setTimeout(r, 1500))
      expect((await t.server.store.listPolicies('fresh', 'prod', 10)).length).toBe(SETTLING_POLICIES)
      await sse.cancel()
    } finally {
      await t.close()
    }
  }, 30_000)
})
