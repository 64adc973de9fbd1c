// Issue 14, budgets that hold in written bytes: lines that backfill writes after all are budgeted (the SDK
// reports how many came back), and a service's short first windows weigh by their length in each
// pattern's rate, so patterns that appear later are not counted at several times their share.
import type { Policy } from '@logsieve/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { batch, startTestServer, type TestServer } from './helpers.js'

interface Generated {
  policy: Policy
  projection: Policy['projection']
}

describe('budgets in written bytes', () => {
  let t: TestServer
  beforeAll(async () => {
    t = await startTestServer()
  })
  afterAll(() => t.close())

  async function generate(service: string): Promise<Generated> {
    const res = await t.call(`/v1/policies/${service}/generate?environment=prod`, { method: 'POST' })
    expect(res.status).toBe(201)
    return (await res.json()) as Generated
  }

  /** One window of 60 s: 20 info patterns sampled at 1/8, of whose dropped lines `share` came back. */
  async function sampledWindow(service: string, share: number): Promise<Generated> {
    await t.call(`/v1/services/${service}/settings`, { method: 'PUT', body: { budget: { reduction: 0.9 } } })
    const key = await t.server.createKey('ingest', [service])
    const rows = Array.from({ length: 20 }, (_, i): [number, 'info', number, number] => [
      i + 1,
      'info',
      Math.round(24_000 / (i + 1)),
      200,
    ])
    const body = batch(service, rows, { seconds: 60 })
    for (const p of body.patterns) {
      p.kept = Math.round(p.seen / 8)
      p.keptBytes = p.kept * 200
      p.backfilled = Math.round(share * (p.seen - p.kept))
    }
    expect((await t.call('/v1/stats', { body, key })).status).toBe(202)
    return generate(service)
  }

  it('counts backfilled lines in the budget: lower rates, and a projection that still fits', async () => {
    const plain = await sampledWindow('no-backfill', 0)
    const backfilled = await sampledWindow('backfill', 0.05)
    const { projection } = backfilled
    expect(projection?.bytesPerDayBefore).toBeCloseTo(plain.projection?.bytesPerDayBefore as number, -3)
    expect(projection?.bytesPerDayAfter).toBeLessThanOrEqual(projection?.budgetBytesPerDay as number)
    const rate = (g: Generated, signature: string) =>
      g.policy.rules.find((r) => r.signature === signature)?.rate
    const lower = backfilled.policy.rules.filter((r) => (r.rate ?? 1) < (rate(plain, r.signature) ?? 1))
    const higher = backfilled.policy.rules.filter((r) => (r.rate ?? 1) > (rate(plain, r.signature) ?? 1))
    expect(lower.length).toBeGreaterThan(0)
    expect(higher).toEqual([])
  })

  it('refuses a batch that says more lines came back than were dropped', async () => {
    const key = await t.server.createKey('ingest', ['liar'])
    const body = batch('liar', [[1, 'info', 100, 100]], { seconds: 60 })
    const p = body.patterns[0]
    if (p) p.backfilled = 1.5
    const res = await t.call('/v1/stats', { body, key })
    expect(res.status).toBe(400)
    expect(JSON.stringify(await res.json())).toContain('backfilled')
  })

  it('weighs a 2 s start-up window as 2 s: a pattern that appears later keeps its true share', async () => {
    const key = await t.server.createKey('ingest', ['startup'])
    const start = Date.now() - 10_000
    // The first 2 s, half idle: 50 lines/s of pattern 1. The next 8 s: 1,000 lines/s, and 10/s of pattern 2.
    const first = batch('startup', [[1, 'info', 100, 100]], {
      end: start + 2000,
      seconds: 2,
      firstSeen: start,
    })
    expect((await t.call('/v1/stats', { body: first, key })).status).toBe(202)
    await generate('startup')
    const later = Date.now()
    const second = batch(
      'startup',
      [
        [1, 'info', 8000, 100],
        [2, 'info', 80, 100],
      ],
      { end: later, seconds: 8, firstSeen: start },
    )
    const p2 = second.patterns[1]
    if (p2) p2.firstSeen = new Date(later - 8000).toISOString()
    expect((await t.call('/v1/stats', { body: second, key })).status).toBe(202)
    await generate('startup')
    const res = await t.call('/v1/patterns?service=startup&environment=prod')
    const { patterns } = (await res.json()) as {
      patterns: Array<{ signature: string; eventsPerSecond: number }>
    }
    const eps = (i: number) => patterns.find((p) => p.signature.endsWith(String(i)))?.eventsPerSecond ?? 0
    // Weighted by length, pattern 1 is near 1,000/s (the first 2 s count for a fifth), not 0.7 × 50 + 0.3 × 1,000.
    expect(eps(1)).toBeGreaterThan(700)
    expect(eps(2) / eps(1)).toBeLessThan(0.015)
  })
})
