// Issue 18 item 8: arbitrary stats batches and settings thrown at a real server. It never answers 5xx,
// never stores an invalid policy or a count it cannot sum, and keeps generating.
import { LEVEL_NAMES, parsePolicy } from '@logsieve/core'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sig, startTestServer, type TestServer } from './helpers.js'

const DAY = 86_400_000
const SERVICES = ['fz-a', 'fz-b']

// Mostly plausible values, so most batches are accepted, with the extremes mixed in.
const count = fc.oneof(
  { weight: 18, arbitrary: fc.nat({ max: 1000 }) },
  { weight: 1, arbitrary: fc.constantFrom(0, 2 ** 40, 2 ** 43, 2 ** 53 - 1, 9e15) },
  { weight: 1, arbitrary: fc.double({ noNaN: true }) },
)
const size = fc.oneof(
  { weight: 18, arbitrary: fc.nat({ max: 100_000 }) },
  { weight: 1, arbitrary: fc.constantFrom(1.79e308, 2 ** 70) },
  { weight: 1, arbitrary: fc.double() },
)
const time = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.integer({ min: -10 * DAY, max: DAY }).map((d) => new Date(Date.now() + d).toISOString()),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom('0', '+275760-09-13T00:00:00.000Z', 'not a date', '1970-01-01T00:00:00Z'),
  },
)
const pattern = fc.record(
  {
    signature: fc.oneof(
      { weight: 19, arbitrary: fc.nat({ max: 20 }).map(sig) },
      { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
    ),
    level: fc.constantFrom(...LEVEL_NAMES),
    template: fc.string({ maxLength: 40 }),
    seen: count,
    kept: count,
    bytes: size,
    keptBytes: size,
    firstSeen: time,
  },
  { requiredKeys: ['signature', 'level', 'template', 'seen', 'kept', 'bytes'] },
)
const statsBatch = fc.record({
  sdk: fc.constant({ name: 'fuzz', version: '0' }),
  service: fc.constantFrom(...SERVICES),
  environment: fc.constant('prod'),
  instance: fc.constantFrom('i1', 'i2', 'i3'),
  window: fc.oneof(
    fc.integer({ min: 1, max: 120_000 }).map((ms) => ({
      start: new Date(Date.now() - ms).toISOString(),
      end: new Date().toISOString(),
    })),
    fc.record({ start: time, end: time }),
  ),
  patterns: fc.array(pattern, { maxLength: 12 }),
  overflow: fc.option(fc.record({ seen: count, kept: count, bytes: size }), { nil: undefined }),
})
const num = fc.oneof(fc.double(), fc.nat({ max: 100_000 }), fc.constantFrom(1e308, 5e-324, -1, 0))
const settings = fc.record(
  {
    budget: fc.oneof(
      fc.constant(null),
      fc.record({ bytesPerDay: num }),
      fc.record({ eventsPerSecond: num }),
      fc.record({ reduction: num }),
    ),
    floorPerMinute: num,
    costPerGB: num,
    boostMaxPerSecond: num,
    baselineSeconds: num,
    boostSeconds: num,
    levelWeights: fc.dictionary(fc.constantFrom(...LEVEL_NAMES), num),
  },
  { requiredKeys: [] },
)

describe('fuzz: stats and settings against a real server', () => {
  let t: TestServer
  let key: string
  beforeAll(async () => {
    t = await startTestServer()
    key = await t.server.createKey('ingest', SERVICES)
  })
  afterAll(() => t.close())

  it('never answers 5xx, never stores an invalid state, and keeps generating', async () => {
    let generated = 0
    await fc.assert(
      fc.asyncProperty(
        fc.array(statsBatch, { minLength: 1, maxLength: 4 }),
        fc.option(settings, { nil: undefined }),
        fc.constantFrom(...SERVICES),
        async (batches, s, service) => {
          for (const b of batches) {
            const res = await t.call('/v1/stats', { body: b, key })
            expect(res.status, await res.text()).toBeLessThan(500)
          }
          if (s !== undefined) {
            const res = await t.call(`/v1/services/${service}/settings`, { method: 'PUT', body: s })
            expect(res.status, await res.text()).toBeLessThan(500)
          }
          const gen = await t.call(`/v1/policies/${service}/generate?environment=prod`, { method: 'POST' })
          expect([200, 201, 409], await gen.text()).toContain(gen.status)
          if (gen.status === 201) generated++
          const stored = await t.server.store.latestPolicy(service, 'prod')
          if (stored) expect(parsePolicy(stored).ok).toBe(true)
          const patterns = await t.call(`/v1/patterns?service=${service}&environment=prod`)
          expect(patterns.status).toBe(200)
        },
      ),
      { numRuns: 25, interruptAfterTimeLimit: 40_000, markInterruptAsFailure: false },
    )
    expect(generated).toBeGreaterThan(0)
    // Every stored count sums without overflow, and retention runs.
    const now = Date.now()
    for (const s of SERVICES) {
      for (const r of await t.server.store.patternTotals(s, 'prod', 0)) {
        expect(Number.isFinite(r.seen) && Number.isFinite(r.bytes)).toBe(true)
      }
    }
    await expect(t.server.store.rollup(now + DAY, now - DAY)).resolves.toBeDefined()
  }, 60_000)
})
