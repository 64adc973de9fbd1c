// The stats inbox of PostgreSQL replicas (pg-stats-inbox.ts) on the real PostgreSQL: replicas' flushes only
// insert, folds move them into the minute rows exactly once, whoever folds and however a fold ends, and
// every read of minute stats sees what was acknowledged before it.
import pg from 'pg'
import { afterEach, describe, expect, it } from 'vitest'
import { titled } from '../../../test/support/requirement.js'
import { type RunningServer, startServer } from '../src/index.js'
import { PostgresStore } from '../src/store/postgres.js'
import type { MinuteStats, OverflowStats } from '../src/store/types.js'
import { ADMIN_KEY, batch, sig } from './helpers.js'
import { createTestDatabase, pgSkipReason, sqlRows, type TestDatabase } from './pg.js'

const skip = await pgSkipReason()
const MINUTE = 60_000
const T0 = Math.floor(Date.now() / MINUTE) * MINUTE - 10 * MINUTE
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

const row = (signature: number, minute: number, seen: number): MinuteStats => ({
  service: 'shop',
  environment: 'prod',
  signature: sig(signature),
  level: 'info',
  minute: T0 + minute * MINUTE,
  seen,
  kept: seen,
  bytes: seen * 100,
  keptBytes: seen * 100,
  plainBytes: seen * 90,
})
const overflow = (minute: number, seen: number): OverflowStats => ({
  service: 'shop',
  environment: 'prod',
  minute: T0 + minute * MINUTE,
  seen,
  kept: 0,
  bytes: seen * 10,
  keptBytes: 0,
})

/** Sums what a list of flushes wrote, per signature and minute (and overflow per minute). */
function expected(flushes: Array<{ rows: MinuteStats[]; overflow: OverflowStats[] }>) {
  const minutes = new Map<string, number>()
  const over = new Map<number, number>()
  for (const f of flushes) {
    for (const r of f.rows)
      minutes.set(`${r.signature}@${r.minute}`, (minutes.get(`${r.signature}@${r.minute}`) ?? 0) + r.seen)
    for (const o of f.overflow) over.set(o.minute, (over.get(o.minute) ?? 0) + o.seen)
  }
  return { minutes, over }
}

describe.skipIf(skip)(titled('stats inbox on PostgreSQL', skip), () => {
  let db: TestDatabase
  const cleanup: Array<() => Promise<unknown>> = []
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c()
    await db.drop()
  })
  const open = async (n: number) => {
    db = await createTestDatabase()
    const stores: PostgresStore[] = []
    for (let i = 0; i < n; i++) stores.push(await PostgresStore.open(db.url))
    cleanup.push(() => Promise.all(stores.map((s) => s.close())))
    return stores
  }
  const sql = (text: string, values: unknown[] = []) => sqlRows(db.url, text, values)
  /** The minute rows and overflow rows as stored (folded only). */
  const folded = async () => {
    const minutes = new Map<string, number>()
    for (const r of await sql('SELECT signature, minute, seen FROM stats_minute'))
      minutes.set(`${r.signature}@${r.minute}`, Number(r.seen))
    const over = new Map<number, number>()
    for (const r of await sql('SELECT minute, seen FROM stats_overflow_minute'))
      over.set(Number(r.minute), Number(r.seen))
    return { minutes, over }
  }
  /** A connection of another process, closed after the test. */
  const connect = async () => {
    const client = new pg.Client({ connectionString: db.url })
    await client.connect()
    cleanup.push(() => client.end())
    return client
  }
  const inboxRows = async () => Number((await sql('SELECT count(*) AS n FROM stats_inbox'))[0]!.n)

  it('counts every flush of concurrent replicas exactly once while three of them fold and read at will', async () => {
    const stores = await open(3)
    const written: Array<{ rows: MinuteStats[]; overflow: OverflowStats[] }> = []
    let writing = true
    const writer = async (s: PostgresStore, w: number) => {
      for (let i = 0; i < 40; i++) {
        const f = {
          rows: Array.from({ length: 30 }, (_, p) => row(p, (i + p) % 3, 1 + ((w * 31 + i * 7 + p) % 13))),
          overflow: i % 4 === 0 ? [overflow(i % 3, 5 + w)] : [],
        }
        await s.writeStats(f.rows, [], [], f.overflow)
        written.push(f)
      }
    }
    // Every store folds in a loop (skipping while another folds) and reads (waiting for a running fold).
    const folder = async (s: PostgresStore) => {
      while (writing) {
        await s.foldStats()
        await s.patternTotals('shop', 'prod', T0)
      }
    }
    const folders = stores.map(folder)
    await Promise.all(stores.map((s, w) => writer(s, w)))
    writing = false
    await Promise.all(folders)
    // Most flushes were folded while the others were being written; the last fold takes the rest.
    expect((await stores[0]!.foldStats()).flushes).toBeLessThan(written.length)
    expect(await inboxRows()).toBe(0)
    expect(await folded()).toEqual(expected(written))
  }, 60_000)

  it('commits nothing of a fold cut off midway: the next fold counts its rows once', async () => {
    const [a, b] = (await open(2)) as [PostgresStore, PostgresStore]
    const first = { rows: [row(1, 0, 10), row(2, 0, 20), row(3, 1, 30)], overflow: [overflow(0, 4)] }
    await a.writeStats(first.rows, [], [], first.overflow)
    await a.foldStats()
    const second = { rows: [row(1, 0, 1), row(2, 0, 2), row(3, 1, 3)], overflow: [overflow(0, 1)] }
    await a.writeStats(second.rows, [], [], second.overflow)
    // Hold one minute row, so b's fold stops midway (its inbox rows deleted, the upserts waiting).
    const holder = await connect()
    await holder.query('BEGIN')
    await holder.query('SELECT 1 FROM stats_minute WHERE signature = $1 FOR UPDATE', [sig(3)])
    const watcher = await connect()
    const cut = b.foldStats().then(
      () => 'finished',
      () => 'failed',
    )
    let pid: number | undefined
    // A busy machine may take seconds to connect b's pool and reach the wait.
    for (const until = Date.now() + 15_000; pid === undefined && Date.now() < until; ) {
      // Not from the holder: inside a transaction, pg_stat_activity reads one snapshot.
      const r = await watcher.query(
        `SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%DELETE FROM stats_inbox%'
         AND application_name = $1`,
        [new URL(db.url).searchParams.get('application_name')],
      )
      pid = r.rows[0]?.pid as number | undefined
      if (pid === undefined) await sleep(20)
    }
    expect(pid).toBeDefined()
    // The fold's process dies (its connection with it): nothing of its transaction commits.
    await watcher.query('SELECT pg_terminate_backend($1)', [pid])
    expect(await cut).toBe('failed')
    await holder.query('ROLLBACK')
    expect(await inboxRows()).toBe(1)
    expect((await a.foldStats()).flushes).toBe(1)
    expect(await inboxRows()).toBe(0)
    expect(await folded()).toEqual(expected([first, second]))
  }, 30_000)

  it('skips a fold while another process folds, and a read waits for that fold to finish', async () => {
    const [a, b] = (await open(2)) as [PostgresStore, PostgresStore]
    await a.writeStats([row(1, 0, 7)], [], [], [])
    const holder = await connect()
    const schema = new URL(db.url).searchParams.get('application_name')
    // Another process holds the fold lock (as a replica in its fold does).
    await holder.query('BEGIN')
    await holder.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`logsieve:fold:${schema}`])
    expect(await b.foldStats()).toEqual({ flushes: 0, rows: 0, overflow: 0 })
    let read: Array<{ seen: number }> | undefined
    const reading = b.patternTotals('shop', 'prod', T0).then((r) => {
      read = r
    })
    await sleep(300)
    expect(read).toBeUndefined()
    await holder.query('COMMIT')
    await reading
    expect(read!.map((r) => r.seen)).toEqual([7])
    expect(await inboxRows()).toBe(0)
  }, 30_000)

  describe('replicas', () => {
    const servers: RunningServer[] = []
    afterEach(async () => {
      for (const s of servers.splice(0)) await s.close()
    })
    const replica = async () => {
      const s = await startServer({
        port: 0,
        dbPath: db.url,
        adminKey: ADMIN_KEY,
        generationIntervalMs: 0,
        rateLimit: false,
      })
      servers.push(s)
      return s
    }
    const post = (s: RunningServer, body: unknown) =>
      fetch(`${s.url}/v1/stats`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    const get = async (s: RunningServer, path: string) =>
      (await fetch(`${s.url}${path}`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).json()

    it('serve /v1/patterns and minute series with every acknowledged batch, and fold the inbox within seconds', async () => {
      db = await createTestDatabase()
      const [a, b] = [await replica(), await replica()]
      const end = Date.now()
      for (let i = 0; i < 6; i++) {
        const res = await post(
          i % 2 ? a : b,
          batch(
            'shop',
            [
              [1, 'info', 10 + i, 100],
              [2, 'warn', 1, 50],
            ],
            { end },
          ),
        )
        expect(res.status).toBe(202)
      }
      // Read at once, on the other replica: the read folds first (the timer's fold may be seconds away).
      const view = (await get(a, '/v1/patterns?service=shop&environment=prod')) as {
        patterns: Array<{ signature: string; last24h: { seen: number } }>
      }
      const seen = Object.fromEntries(view.patterns.map((p) => [p.signature, p.last24h.seen]))
      expect(seen).toEqual({ [sig(1)]: 10 + 11 + 12 + 13 + 14 + 15, [sig(2)]: 6 })
      const series = (await get(b, '/v1/services/shop/timeseries?environment=prod')) as {
        points: Array<{ seen: number }>
      }
      expect(series.points.reduce((n, p) => n + p.seen, 0)).toBe(81)
      // Unread stats are folded by the replicas' own timer.
      expect((await post(b, batch('shop', [[3, 'info', 5, 100]], { end }))).status).toBe(202)
      for (let i = 0; i < 50 && (await inboxRows()) > 0; i++) await sleep(100)
      expect(await inboxRows()).toBe(0)
      expect(Number((await sql('SELECT sum(seen) AS n FROM stats_minute'))[0]!.n)).toBe(86)
    }, 30_000)
  })
})
