// Plain bytes (what the seen lines cost without Logsieve's fields) beside written bytes: stored, migrated,
// and the "before" of the generator's projection while the budget buys written bytes.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Policy } from '@logsieve/core'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SqliteStore } from '../src/index.js'
import { MIGRATIONS } from '../src/store/migrations.js'
import { batch, sig, startTestServer, type TestServer } from './helpers.js'

const DAY = 86_400

describe('plain bytes', () => {
  let t: TestServer
  beforeAll(async () => {
    t = await startTestServer()
  })
  afterAll(() => t.close())

  it('budgets written bytes against a reduction of plain bytes, and projects savings from plain', async () => {
    await t.call('/v1/services/fields/settings', { method: 'PUT', body: { budget: { reduction: 0.9 } } })
    const key = await t.server.createKey('ingest', ['fields'])
    // 30 info patterns whose lines are 250 B written, 150 B plain (Logsieve's fields add 100 B), one error.
    const rows: Array<[number, 'info' | 'error', number, number]> = Array.from({ length: 30 }, (_, i) => [
      i + 1,
      'info',
      Math.round(30_000 / (i + 1)),
      250,
    ])
    rows.push([99, 'error', 6, 250])
    const body = batch('fields', rows, { seconds: 60 })
    for (const p of body.patterns) p.plainBytes = p.seen * 150
    expect((await t.call('/v1/stats', { body, key })).status).toBe(202)
    const res = await t.call('/v1/policies/fields/generate?environment=prod', { method: 'POST' })
    expect(res.status).toBe(201)
    const { policy, projection } = (await res.json()) as { policy: Policy; projection: Policy['projection'] }
    const seen = rows.reduce((n, [, , s]) => n + s, 0)
    const plainPerDay = (seen / 60) * 150 * DAY
    expect(projection?.bytesPerDayBefore).toBeCloseTo(plainPerDay, -4)
    expect(projection?.budgetBytesPerDay).toBeCloseTo(plainPerDay * 0.1, -4)
    // What the rates let through, written (fields included), recomputed from the rules.
    let written = 0
    for (const [i, level, s] of rows) {
      const rate = policy.rules.find((r) => r.signature === sig(i) && r.level === level)?.rate ?? 1
      const eps = s / 60
      const floor = Math.min(eps, 1 / 60)
      written += (floor + rate * (eps - floor)) * 250 * DAY
    }
    expect(written).toBeLessThanOrEqual(plainPerDay * 0.1)
    expect(projection?.bytesPerDayAfter).toBeLessThanOrEqual(plainPerDay * 0.1)

    const patterns = await (await t.call('/v1/patterns?service=fields&environment=prod')).json()
    const top = patterns.patterns.find((p: { signature: string }) => p.signature === sig(1))
    expect(top).toMatchObject({ bytesPerEvent: 250, plainBytesPerEvent: 150 })
    expect(top.plainBytesPerDay).toBeCloseTo((top.bytesPerDay * 150) / 250, 3)
  })
})

describe('migration 2 (plain bytes)', () => {
  it('reads rows written before it as plain = written, and adds to them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'logsieve-migrate-'))
    const path = join(dir, 'old.db')
    const old = new Database(path)
    old.exec(MIGRATIONS[0] as string)
    old.pragma('user_version = 1')
    const minute = Math.floor(Date.now() / 60_000) * 60_000
    old
      .prepare(`INSERT INTO stats_minute VALUES ('svc', 'prod', ?, 'info', ?, 10, 10, 2000, 2000)`)
      .run(sig(1), minute)
    old.close()
    const store = new SqliteStore(path)
    try {
      expect(store.db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length)
      expect(await store.patternTotals('svc', 'prod', 0)).toEqual([
        {
          signature: sig(1),
          level: 'info',
          seen: 10,
          kept: 10,
          bytes: 2000,
          keptBytes: 2000,
          plainBytes: 2000,
        },
      ])
      const row = { service: 'svc', environment: 'prod', signature: sig(1), level: 'info' as const, minute }
      await store.writeStats(
        [{ ...row, seen: 5, kept: 5, bytes: 1000, keptBytes: 1000, plainBytes: 600 }],
        [],
      )
      expect((await store.patternTotals('svc', 'prod', 0))[0]?.plainBytes).toBe(2600)
      // Rolled up into hours with the plain bytes.
      await store.rollup(minute + 60_000, 0)
      const hour = store.db.prepare('SELECT bytes, plain_bytes AS plain FROM stats_hour').get()
      expect(hour).toEqual({ bytes: 3000, plain: 2600 })
    } finally {
      store.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
