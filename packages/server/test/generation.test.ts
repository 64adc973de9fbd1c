import { type Policy, RATE_STEPS_PER_HALVING, samplingFieldBytes } from '@logsieve/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { batch, sig, sseReader, startTestServer, type TestServer } from './helpers.js'

type Level = 'debug' | 'info' | 'error'
/** 40 info patterns with Zipf-like rates, 10 debug, 2 error: [index, level, seen per instance per minute, bytes]. */
const WORKLOAD: Array<[number, Level, number, number]> = [
  ...Array.from({ length: 40 }, (_, i): [number, Level, number, number] => [
    i + 1,
    'info',
    Math.round(60_000 / (i + 1)),
    200 + i,
  ]),
  ...Array.from({ length: 10 }, (_, i): [number, Level, number, number] => [
    100 + i,
    'debug',
    Math.round(30_000 / (i + 1)),
    300,
  ]),
  [200, 'error', 30, 800],
  [201, 'error', 2, 900],
]
const INSTANCES = 4
const DAY = 86_400

/** Fleet-wide true rates (events/s) and sizes, to check the server's projection independently. */
const truth = new Map(
  WORKLOAD.map(([i, level, seen, size]) => [`${sig(i)}:${level}`, { eps: (seen * INSTANCES) / 60, size }]),
)
const observedBytesPerDay = [...truth.values()].reduce((s, p) => s + p.eps * p.size * DAY, 0)

function keptBytesPerDay(policy: Policy): number {
  let total = 0
  for (const [key, p] of truth) {
    const [signature, level] = key.split(':')
    const rule = policy.rules.find(
      (r) => r.signature === signature && (r.level === undefined || r.level === level),
    )
    const rate = level === 'error' ? 1 : (rule?.rate ?? policy.defaults.levels[level as Level] ?? 1)
    // A sampled pattern's kept lines carry the sampling fields too (signature, sample_rate).
    total += rate * p.eps * (p.size + samplingFieldBytes(rate)) * DAY
  }
  return total
}

async function sendFleet(t: TestServer, service: string, instances: number, scale = 1, end = Date.now()) {
  const key = await t.server.createKey('ingest', [service])
  for (let n = 0; n < instances; n++) {
    const patterns = WORKLOAD.map(([i, l, seen, size]): [number, Level, number, number] => [
      i,
      l,
      seen * scale,
      size,
    ])
    const res = await t.call('/v1/stats', {
      body: batch(service, patterns, { instance: `host-${n}`, end }),
      key,
    })
    expect(res.status).toBe(202)
  }
}

describe('policy generation end to end', () => {
  let t: TestServer
  beforeAll(async () => {
    t = await startTestServer()
  })
  afterAll(() => t.close())

  it('keeps projected bytes within ±10% of the budget, errors at 1 and every pattern above the floor', async () => {
    const budget = observedBytesPerDay * 0.2
    await t.call('/v1/services/checkout/settings', {
      method: 'PUT',
      body: { budget: { bytesPerDay: budget }, floorPerMinute: 1 },
    })
    await sendFleet(t, 'checkout', INSTANCES)
    const res = await t.call('/v1/policies/checkout/generate?environment=prod', { method: 'POST' })
    expect(res.status).toBe(201)
    const result = await res.json()
    const policy = result.policy as Policy
    expect(policy).toMatchObject({
      service: 'checkout',
      environment: 'prod',
      version: 1,
      source: 'generated',
    })
    expect(result.projection.bytesPerDayBefore).toBeCloseTo(observedBytesPerDay, -3)
    // 20% of the volume leaves room above the floors: the budget is reachable, so it must be met.
    expect(result.overBudget).toBe(false)
    expect(Math.abs(result.projection.bytesPerDayAfter - budget) / budget).toBeLessThanOrEqual(0.1)
    // Checked independently from the true fleet rates, not only the server's own projection.
    expect(Math.abs(keptBytesPerDay(policy) - budget) / budget).toBeLessThanOrEqual(0.1)
    for (const r of policy.rules) {
      if (r.level === 'error' || r.level === 'fatal') expect(r.rate).toBe(1)
      const step = -Math.log2(r.rate) * RATE_STEPS_PER_HALVING // rates lie on the generator's grid
      expect(Math.abs(step - Math.round(step))).toBeLessThan(1e-9)
      const p = truth.get(`${r.signature}:${r.level}`)!
      expect(r.rate * p.eps * 60).toBeGreaterThanOrEqual(1 - 1e-9) // floor: 1 line per minute
    }
    expect(policy.rules.some((r) => r.rate < 1)).toBe(true)

    const served = await t.call('/v1/policies/checkout?environment=prod')
    expect(((await served.json()) as Policy).version).toBe(1)
  })

  it('gives a fleet of 20 instances the same policy as one instance with 20× the traffic', async () => {
    for (const s of ['fleet', 'single']) {
      await t.call(`/v1/services/${s}/settings`, {
        method: 'PUT',
        body: { budget: { bytesPerDay: observedBytesPerDay } },
      })
    }
    await sendFleet(t, 'fleet', 20)
    await sendFleet(t, 'single', 1, 20)
    const a = (
      await (await t.call('/v1/policies/fleet/generate?environment=prod', { method: 'POST' })).json()
    ).policy
    const b = (
      await (await t.call('/v1/policies/single/generate?environment=prod', { method: 'POST' })).json()
    ).policy
    const rates = (p: Policy) => p.rules.map((r) => `${r.signature}:${r.level}:${r.rate}`).sort()
    expect(rates(a)).toEqual(rates(b))
    expect(a.projection.bytesPerDayBefore).toBeCloseTo(b.projection.bytesPerDayBefore, 0)
  })

  it('measures short-lived instances (browser tabs) and stats after a pause at their real rate', async () => {
    // Its own server, on a clock the test moves, with the EMA set to the latest rate.
    let clock = Date.parse('2026-03-02T10:00:00Z')
    const own = await startTestServer({ now: () => clock, emaAlpha: 1 })
    try {
      const service = 'tabs'
      const key = await own.server.createKey('ingest', [service])
      const generate = async () => {
        const r = await own.call(`/v1/policies/${service}/generate?environment=prod`, { method: 'POST' })
        // The result's projection: an unchanged policy is not stored again, but its rates are measured.
        return ((await r.json()) as { projection: Policy['projection'] }).projection
      }
      // A steady minute from one long-lived tab: 600 lines in 60 s, 10 lines/s.
      await own.call('/v1/stats', { body: batch(service, [[1, 'info', 600, 100]], { end: clock }), key })
      expect((await generate())?.eventsPerSecondBefore).toBeCloseTo(10, 5)
      // The next minute: six tabs, each open for 10 s of it, each logging 100 lines. Still 10 lines/s for
      // the fleet; spreading each tab's lines over its own 10 s made it 60.
      for (let n = 0; n < 6; n++) {
        const end = clock + (n + 1) * 10_000
        await own.call('/v1/stats', {
          body: batch(service, [[1, 'info', 100, 100]], { instance: `tab-${n}`, end, seconds: 10 }),
          key,
        })
      }
      clock += 60_000
      expect((await generate())?.eventsPerSecondBefore).toBeCloseTo(10, 5)
      // Then no stats for ten minutes, and one tab reports 30 s at 10 lines/s: the rate is over those 30 s,
      // not over the ten minutes since the last generation.
      clock += 600_000
      await own.call('/v1/stats', {
        body: batch(service, [[1, 'info', 300, 100]], { instance: 'tab-9', end: clock, seconds: 30 }),
        key,
      })
      expect((await generate())?.eventsPerSecondBefore).toBeCloseTo(10, 5)
    } finally {
      await own.close()
    }
  })

  it('flags overBudget when the coverage floors alone exceed the budget', async () => {
    await t.call('/v1/services/tiny/settings', {
      method: 'PUT',
      body: { budget: { bytesPerDay: 1000 }, floorPerMinute: 10 },
    })
    await sendFleet(t, 'tiny', 1)
    const r = await (await t.call('/v1/policies/tiny/generate?environment=prod', { method: 'POST' })).json()
    expect(r.overBudget).toBe(true)
    expect(r.policy.projection.overBudget).toBe(true)
  })

  it('lets pins win over the generator', async () => {
    const drop = await t.call('/v1/services/checkout/pins', {
      body: { signature: sig(1), level: 'info', rate: 0, reason: 'known noise' },
    })
    expect(drop.status).toBe(201)
    const keep = await t.call('/v1/services/checkout/pins', {
      body: {
        signature: sig(2),
        rate: 1,
        reason: 'investigating',
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      },
    })
    const pinId = (await keep.json()).id
    await sendFleet(t, 'checkout', INSTANCES)
    const { policy } = await (
      await t.call('/v1/policies/checkout/generate?environment=prod', { method: 'POST' })
    ).json()
    const rule = (i: number) => policy.rules.find((r: { signature: string }) => r.signature === sig(i))
    expect(rule(1)).toMatchObject({ rate: 0, reason: 'pin' })
    expect(rule(2)).toMatchObject({ rate: 1, reason: 'pin' })
    const pins = await (await t.call('/v1/services/checkout/pins')).json()
    expect(pins.pins.map((p: { reason: string }) => p.reason)).toEqual(['known noise', 'investigating'])
    expect((await t.call(`/v1/services/checkout/pins/${pinId}`, { method: 'DELETE' })).status).toBe(200)
    expect((await t.call(`/v1/services/checkout/pins/${pinId}`, { method: 'DELETE' })).status).toBe(404)
  })

  it('dry run returns the would-be policy without storing it', async () => {
    await sendFleet(t, 'checkout', INSTANCES)
    const before = await (await t.call('/v1/policies/checkout/history?environment=prod')).json()
    const res = await t.call('/v1/policies/checkout/generate?environment=prod&dryRun=true', {
      method: 'POST',
    })
    const r = await res.json()
    expect(r).toMatchObject({ dryRun: true, stored: false })
    expect(r.projection.bytesPerDayAfter).toBeGreaterThan(0)
    const after = await (await t.call('/v1/policies/checkout/history?environment=prod')).json()
    expect(after.versions).toEqual(before.versions)
  })

  it('keeps history, diffs versions and rolls back to an old version as a new one', async () => {
    const history = await (await t.call('/v1/policies/checkout/history?environment=prod')).json()
    expect(history.versions.map((v: { version: number }) => v.version)).toEqual([2, 1])
    const diff = await (await t.call('/v1/policies/checkout/diff?environment=prod&from=1&to=2')).json()
    expect(diff.changed.find((c: { signature: string }) => c.signature === sig(1))).toMatchObject({
      to: { rate: 0, reason: 'pin' },
    })
    const v1 = await (await t.call('/v1/policies/checkout/versions/1?environment=prod')).json()
    const rb = await t.call('/v1/policies/checkout/rollback/1?environment=prod', { method: 'POST' })
    expect(rb.status).toBe(201)
    const rolled = await rb.json()
    expect(rolled).toMatchObject({ version: 3, source: 'rollback' })
    expect(rolled.rules).toEqual(v1.rules)
    const current = await (await t.call('/v1/policies/checkout?environment=prod')).json()
    expect(current.version).toBe(3)
    expect((await t.call('/v1/policies/checkout/versions/99?environment=prod')).status).toBe(404)
  })

  it('applies a policy as code, and refuses one that samples errors with the field named', async () => {
    const doc = {
      defaults: { levels: { debug: 0.25 } },
      rules: [{ signature: sig(7), rate: 0.5, reason: 'manual' }],
    }
    const dry = await t.call('/v1/policies/checkout?environment=prod&dryRun=true', {
      method: 'PUT',
      body: doc,
    })
    expect(dry.status).toBe(200)
    expect(await dry.json()).toMatchObject({ valid: true, stored: false })
    const res = await t.call('/v1/policies/checkout?environment=prod', { method: 'PUT', body: doc })
    expect(res.status).toBe(201)
    expect((await res.json()).policy).toMatchObject({
      version: 4,
      source: 'manual',
      author: 'LOGSIEVE_ADMIN_KEY',
    })
    const bad = await t.call('/v1/policies/checkout?environment=prod', {
      method: 'PUT',
      body: { rules: [{ signature: sig(200), level: 'error', rate: 0.5 }] },
    })
    expect(bad.status).toBe(400)
    expect((await bad.json()).error).toMatchObject({
      code: 'LOGSIEVE_POLICY_INVALID',
      field: 'rules[0].rate',
    })
    const wrong = await t.call('/v1/policies/checkout?environment=prod', {
      method: 'PUT',
      body: { service: 'other' },
    })
    expect((await wrong.json()).error.field).toBe('service')
    // Turning the coverage floor off is a change the diff names.
    const noFloor = { ...doc, defaults: { ...doc.defaults, floorPerMinute: 0 } }
    const check = await t.call('/v1/policies/checkout?environment=prod&dryRun=true', {
      method: 'PUT',
      body: noFloor,
    })
    expect((await check.json()).diff.settings).toContainEqual({
      path: 'defaults.floorPerMinute',
      from: 1,
      to: 0,
    })
  })

  it('keeps a new pattern and an anomalous one at rate 1 with a cap and a reason', async () => {
    const svc = 'spiky'
    await t.call(`/v1/services/${svc}/settings`, {
      method: 'PUT',
      // Boosts count at their cap (20/s each here, within the half of the budget boosts may take),
      // leaving about 60 events/s of the budget for pattern 1's 100.
      body: { budget: { bytesPerDay: 100 * 100 * 86_400 }, boostSeconds: 1800 },
    })
    const key = await t.server.createKey('ingest', [svc])
    const steady: Array<[number, Level, number, number]> = [
      [1, 'info', 6000, 100],
      [2, 'info', 6000, 100],
    ]
    const start = Date.now() - 20 * 60_000
    for (let m = 0; m < 12; m++) {
      const end = start + m * 60_000
      const patterns =
        m === 11
          ? [
              [1, 'info', 6000, 100],
              [2, 'info', 600_000, 100],
            ]
          : steady
      await t.call('/v1/stats', {
        body: batch(svc, patterns as typeof steady, { end, firstSeen: start - 86_400_000 }),
        key,
      })
      if (m === 11) {
        await t.call('/v1/stats', {
          body: batch(svc, [[3, 'info', 6000, 100]], { end, firstSeen: end - 1000 }),
          key,
        })
      }
      const r = await t.call(`/v1/policies/${svc}/generate?environment=prod`, { method: 'POST' })
      expect(r.status).toBeLessThan(300)
    }
    const policy = (await (await t.call(`/v1/policies/${svc}?environment=prod`)).json()) as Policy
    const rule = (i: number) => policy.rules.find((r) => r.signature === sig(i))
    expect(rule(2)).toMatchObject({ rate: 1, reason: 'anomaly', maxPerSecond: 20 })
    expect(rule(3)).toMatchObject({ rate: 1, reason: 'new', maxPerSecond: 20 })
    expect(rule(1)!.rate).toBeLessThan(1)
  })

  it('answers 409 when asked to generate for a service without stats', async () => {
    const res = await t.call('/v1/policies/nothing/generate', { method: 'POST' })
    expect(res.status).toBe(409)
    expect((await res.json()).error.code).toBe('LOGSIEVE_NO_STATS')
  })
})

describe('periodic generation and SSE', () => {
  it('generates on the interval for services with fresh stats and streams each new version', async () => {
    const t = await startTestServer({ generationIntervalMs: 200, heartbeatMs: 50 })
    try {
      const key = await t.server.createKey('ingest', ['live'])
      const res = await fetch(`${t.url}/v1/policies/live/stream?environment=prod&apiKey=${key}`)
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toContain('text/event-stream')
      const sse = sseReader(res)
      const nextEvent = async () => {
        const e = await sse.next()
        return { id: e.get('id')!, data: JSON.parse(e.get('data')!) as Policy }
      }
      const first = await nextEvent()
      expect(first.data.version).toBe(0)
      await t.call('/v1/stats', { body: batch('live', [[1, 'info', 100, 100]]), key })
      const second = await nextEvent()
      expect(second).toMatchObject({ id: '1', data: { version: 1, source: 'generated', service: 'live' } })
      await new Promise((r) => setTimeout(r, 150)) // three heartbeat intervals
      // Shutting down ends open streams instead of waiting for clients to leave.
      await t.server.close()
      await expect(sse.next()).rejects.toThrow('stream ended')
      expect(sse.heartbeats).toBeGreaterThan(0)
    } finally {
      await t.close()
    }
  })
})
