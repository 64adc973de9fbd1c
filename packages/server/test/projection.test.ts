// One model of what a pattern writes under a rate (core's written.ts): the generator's projection of a
// policy and the per-pattern projections of `GET /v1/patterns` (which the dashboard and `logsieve budget
// check` show) add up to the same written bytes: the floor's lines and `sample_rate` included.
import type { Policy } from '@logsieve/core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { batch, startTestServer, type TestServer } from './helpers.js'

let t: TestServer
beforeAll(async () => {
  t = await startTestServer()
})
afterAll(() => t.close())

it('the patterns of a generated policy project the written bytes the policy projects', async () => {
  await t.call('/v1/services/agree/settings', { method: 'PUT', body: { budget: { reduction: 0.95 } } })
  const key = await t.server.createKey('ingest', ['agree'])
  // Two instances (the floor keeps each one's first line a minute), a loud head, a tail of quiet patterns.
  const rows: Array<[number, 'debug' | 'info' | 'warn' | 'error', number, number]> = [
    [1, 'debug', 60_000, 120],
    [2, 'info', 12_000, 200],
    [3, 'info', 3_000, 90],
    ...Array.from({ length: 20 }, (_, i): [number, 'info', number, number] => [10 + i, 'info', 30 + i, 150]),
    [40, 'warn', 50, 300],
    [41, 'error', 10, 600],
  ]
  for (const instance of ['host-1', 'host-2']) {
    const body = batch('agree', rows, { seconds: 60, instance })
    expect((await t.call('/v1/stats', { body, key })).status).toBe(202)
  }
  const res = await t.call('/v1/policies/agree/generate?environment=prod', { method: 'POST' })
  expect(res.status).toBe(201)
  const { policy } = (await res.json()) as { policy: Policy }
  expect(policy.rules.some((r) => r.rate < 1 && r.rate > 0)).toBe(true)
  const after = policy.projection?.bytesPerDayAfter ?? 0

  const listed = await (await t.call('/v1/patterns?service=agree&environment=prod&limit=100')).json()
  expect(listed.instances).toBe(2)
  const patterns = listed.patterns as Array<{ projectedBytesPerDay: number; rate: number }>
  const sum = patterns.reduce((n, p) => n + p.projectedBytesPerDay, 0)
  // Rate × size alone leaves out the floor's lines and `sample_rate`: several percent here.
  const naive = (listed.patterns as Array<{ bytesPerDay: number; rate: number }>).reduce(
    (n, p) => n + p.bytesPerDay * p.rate,
    0,
  )
  expect(Math.abs(naive - after) / after).toBeGreaterThan(0.02)
  expect(Math.abs(sum - after) / after).toBeLessThan(0.001)
})
