// Issue 18, findings 1-7: what an ingest key or a service-scoped admin key could do to other services.
// Each case runs against a real server over HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resolveOptions } from '../src/index.js'
import { ROW_MAX_COUNT } from '../src/stats-limits.js'
import { batch, sig, startTestServer, type TestServer } from './helpers.js'

const DAY = 86_400_000

describe('abuse through an ingest key', () => {
  let t: TestServer
  let key: string
  beforeAll(async () => {
    t = await startTestServer({ maxPatternsPerService: 50 })
    key = await t.server.createKey('ingest', ['svc', 'wide', 'frozen'])
  })
  afterAll(() => t.close())

  const post = (body: unknown) => t.call('/v1/stats', { body, key })
  const error = async (res: Response) => ((await res.json()) as { error: { field?: string } }).error

  it('1: refuses counts past the per-batch cap and saturates stored rows; retention and /v1/patterns keep working', async () => {
    const repeated = batch('svc', [[1, 'info', 1, 100]], { end: Date.now() - 6 * DAY })
    repeated.patterns = Array.from({ length: 600 }, () => ({
      ...repeated.patterns[0]!,
      seen: 9e15,
      kept: 9e15,
    }))
    const res = await post(repeated)
    expect(res.status).toBe(400)
    expect(await error(res)).toMatchObject({ field: 'patterns[0].seen' })
    // Many batches just under the cap, all in one minute: the stored row saturates instead of overflowing.
    const end = Date.now() - 6 * DAY
    for (let i = 0; i < 12; i++) {
      const b = batch('svc', [[2, 'info', 1, 100]], { end, seconds: 30 })
      b.patterns[0] = { ...b.patterns[0]!, seen: 2 ** 40, kept: 2 ** 40, bytes: 2 ** 40 * 1000 }
      expect((await post(b)).status).toBe(202)
      await t.server.flush() // separate flushes: the row also saturates in SQL
    }
    const totals = await t.server.store.patternTotals('svc', 'prod', 0)
    expect(totals.find((r) => r.signature === sig(2))?.seen).toBe(ROW_MAX_COUNT)
    const now = Date.now()
    await expect(t.server.store.rollup(now + DAY, now - 90 * DAY)).resolves.toMatchObject({ rolledUp: 1 })
    const patterns = await t.call('/v1/patterns?service=svc&environment=prod')
    expect(patterns.status).toBe(200)
  })

  it('2: tracks at most maxPatternsPerService patterns and counts the rest as overflow', async () => {
    const patterns = Array.from(
      { length: 60 },
      (_, i) => [100 + i, 'info', 10, 50] as [number, 'info', number, number],
    )
    expect((await post(batch('wide', patterns))).status).toBe(202)
    await t.server.flush()
    expect(await t.server.store.listPatterns('wide', 'prod')).toHaveLength(50)
    const services = (await (await t.call('/v1/services')).json()) as {
      services: Array<{ service: string; overflow24h: { seen: number } }>
    }
    expect(services.services.find((s) => s.service === 'wide')?.overflow24h.seen).toBe(100)
    const metrics = await (await t.call('/metrics')).text()
    expect(metrics).toContain('logsieve_overflow_lines_total{service="wide",environment="prod"} 100')
  })

  it('3: refuses a value that would make a policy invalid, naming the field', async () => {
    const b = batch('frozen', [[1, 'info', 10, 100]])
    b.patterns[0]!.bytes = 1.79e308
    const res = await post(b)
    expect(res.status).toBe(400)
    expect(await error(res)).toMatchObject({ field: 'patterns[0].bytes' })
  })

  it('4: refuses windows far from the server clock', async () => {
    const zero = batch('svc', [[1, 'info', 1, 100]])
    zero.window.start = '0'
    let res = await post(zero)
    expect(res.status).toBe(400)
    expect(await error(res)).toMatchObject({ field: 'window.start' })
    const future = batch('svc', [[1, 'info', 1, 100]])
    future.window.end = '+275760-09-13T00:00:00.000Z'
    res = await post(future)
    expect(res.status).toBe(400)
    expect(await error(res)).toMatchObject({ field: 'window.end' })
    const old = batch('svc', [[1, 'info', 1, 100]], { end: Date.now() - 8 * DAY })
    expect((await post(old)).status).toBe(400)
  })
})

describe('a generation that fails', () => {
  it('3: does not consume the period stats: the next generation uses them', async () => {
    const t = await startTestServer()
    try {
      const key = await t.server.createKey('ingest', ['flaky'])
      expect((await t.call('/v1/stats', { body: batch('flaky', [[1, 'info', 100, 100]]), key })).status).toBe(
        202,
      )
      // What the period's stats project, before anything is generated (a dry run consumes nothing).
      const dry = await t.call('/v1/policies/flaky/generate?environment=prod&dryRun=true', { method: 'POST' })
      const before = ((await dry.json()) as { projection: { bytesPerDayBefore: number } }).projection
      // The generation fails halfway: its read of the pins fails once, as a lost database would. (A
      // failure before the generated policy is checked is where the stats were lost: issue 18, 3.)
      const store = t.server.store
      const listPins = store.listPins.bind(store)
      let failures = 1
      store.listPins = async (service) => {
        if (failures-- > 0) throw new Error('database gone')
        return listPins(service)
      }
      const failed = await t.call('/v1/policies/flaky/generate?environment=prod', { method: 'POST' })
      expect(failed.status).toBe(500)
      const retried = await t.call('/v1/policies/flaky/generate?environment=prod', { method: 'POST' })
      expect(retried.status).toBe(201)
      const body = (await retried.json()) as {
        policy: { rules: Array<{ signature: string }> }
        projection: { bytesPerDayBefore: number }
      }
      expect(body.policy.rules.map((r) => r.signature)).toEqual([sig(1)])
      // The retry saw the same period's stats, not what was left after the failed run took them.
      expect(body.projection.bytesPerDayBefore).toBe(before.bytesPerDayBefore)
    } finally {
      await t.close()
    }
  })
})

describe('rule selection by volume', () => {
  it('2: keeps the rules of the loudest patterns when they exceed the rule limit, whatever their signatures', async () => {
    const t = await startTestServer({ maxPatternsPerService: 25_000 })
    try {
      const key = await t.server.createKey('ingest', ['many'])
      const end = Date.now()
      // 20,100 quiet patterns with low signatures, then 50 loud ones with the highest signatures.
      for (let from = 0; from < 20_100; from += 5000) {
        const rows = Array.from(
          { length: Math.min(5000, 20_100 - from) },
          (_, i) => [from + i, 'info', 1, 50] as [number, 'info', number, number],
        )
        expect((await t.call('/v1/stats', { body: batch('many', rows, { end }), key })).status).toBe(202)
      }
      const loud = Array.from(
        { length: 50 },
        (_, i) => [2 ** 40 + i, 'info', 100_000, 200] as [number, 'info', number, number],
      )
      expect((await t.call('/v1/stats', { body: batch('many', loud, { end }), key })).status).toBe(202)
      const r = await t.server.generate('many', 'prod')
      const kept = new Set(r.policy.rules.map((x) => x.signature))
      expect(r.policy.rules.length).toBe(20_000)
      for (const [i] of loud) expect(kept.has(sig(i))).toBe(true)
    } finally {
      await t.close()
    }
  }, 60_000)
})

describe('scopes', () => {
  let t: TestServer
  let scoped: string
  beforeAll(async () => {
    t = await startTestServer({ metricsRequireKey: true })
    scoped = await t.server.createKey('admin', ['svcA'], 'svcA admin')
    const ingest = await t.server.createKey('ingest', ['svcA', 'svcB'])
    for (const s of ['svcA', 'svcB']) {
      await t.call('/v1/stats', { body: batch(s, [[1, 'info', 10, 100]]), key: ingest })
    }
  })
  afterAll(() => t.close())

  it('5: a service-scoped admin key touches only its services and cannot mint wider keys', async () => {
    const as = (path: string, init: { method?: string; body?: unknown } = {}) =>
      t.call(path, { ...init, key: scoped })
    expect(
      (await as('/v1/services/svcB/settings', { method: 'PUT', body: { floorPerMinute: 2 } })).status,
    ).toBe(403)
    expect((await as('/v1/policies/svcB/generate?environment=prod', { method: 'POST' })).status).toBe(403)
    expect(
      (await as('/v1/services/svcB/pins', { body: { signature: sig(1), rate: 0.5, reason: 'x' } })).status,
    ).toBe(403)
    expect((await as('/v1/patterns?service=svcB&environment=prod')).status).toBe(403)
    expect((await as('/v1/keys', { body: { scope: 'admin' } })).status).toBe(403)
    expect((await as('/v1/keys', { body: { scope: 'ingest', services: ['svcA', 'svcB'] } })).status).toBe(403)
    expect((await as('/v1/keys', { body: { scope: 'ingest', services: ['svcA'] } })).status).toBe(201)
    const listed = (await (await as('/v1/services')).json()) as { services: Array<{ service: string }> }
    expect(listed.services.map((s) => s.service)).toEqual(['svcA'])
    expect((await as('/v1/policies/svcA/generate?environment=prod', { method: 'POST' })).status).toBe(201)
    const keys = (await (await as('/v1/keys')).json()) as { keys: Array<{ services: string[] | null }> }
    expect(keys.keys.every((k) => k.services?.every((s) => s === 'svcA'))).toBe(true)
  })

  it('6: admin keys work only in the Authorization header', async () => {
    const res = await t.call(`/v1/keys?apiKey=${scoped}`, { key: null })
    expect(res.status).toBe(401)
    const onIngest = await t.call(`/v1/policies/svcA?environment=prod&apiKey=${scoped}`, { key: null })
    expect(onIngest.status).toBe(401)
  })

  it('7: /metrics needs an unscoped admin key when asked, and by default beyond loopback', async () => {
    expect((await t.call('/metrics', { key: null })).status).toBe(401)
    expect((await t.call('/metrics', { key: scoped })).status).toBe(403)
    expect((await t.call('/metrics')).status).toBe(200)
    expect(resolveOptions({ host: '0.0.0.0' }).metricsRequireKey).toBe(true)
    expect(resolveOptions({ host: '127.0.0.1' }).metricsRequireKey).toBe(false)
  })
})
