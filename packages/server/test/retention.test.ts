import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SqliteStore } from '../src/index.js'
import { batch, sig, startTestServer, type TestServer } from './helpers.js'

const DAY = 86_400_000

describe('retention', () => {
  let t: TestServer
  beforeAll(async () => {
    t = await startTestServer({ retentionDays: 7, rollupRetentionDays: 30 })
  })
  afterAll(() => t.close())

  it('rolls minute stats older than the retention window into hours and drops old hours', async () => {
    const key = await t.server.createKey('ingest', ['old'])
    const now = Date.now()
    // Windows older than the retention are refused at ingest: old rows are written as an earlier server did.
    const old = (minute: number, seen: number) =>
      t.server.store.writeStats(
        [
          {
            service: 'old',
            environment: 'prod',
            signature: sig(1),
            level: 'info',
            minute,
            seen,
            kept: seen,
            bytes: seen * 100,
            keptBytes: seen * 100,
            plainBytes: seen * 100,
          },
        ],
        [],
      )
    const tenDaysAgo = Math.floor((now - 10 * DAY) / 3_600_000) * 3_600_000 + 20 * 60_000
    await old(tenDaysAgo, 5)
    await old(tenDaysAgo + 60_000, 7) // another minute of the same hour
    await old(Math.floor((now - 40 * DAY) / 60_000) * 60_000, 3) // past the rollup retention too
    const recent = await t.call('/v1/stats', {
      body: batch('old', [[1, 'info', 11, 100]], { end: now, seconds: 30 }),
      key,
    })
    expect(recent.status).toBe(202) // recent: stays at minute resolution
    await t.server.flush()
    const db = (t.server.store as SqliteStore).db
    const minutes = () => db.prepare('SELECT count(*) FROM stats_minute').pluck().get()
    expect(minutes()).toBe(4)

    await t.server.context.scheduler.maintain()
    expect(minutes()).toBe(1)
    const hours = db.prepare('SELECT hour, seen FROM stats_hour').all()
    expect(hours).toEqual([{ hour: Math.floor(tenDaysAgo / 3_600_000) * 3_600_000, seen: 12 }])
    const totals = await t.server.store.patternTotals('old', 'prod', now - DAY)
    expect(totals).toEqual([expect.objectContaining({ seen: 11 })])
  })
})
