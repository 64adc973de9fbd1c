// The stats aggregator's columns over pattern ids, against a real SQLite file: what is written at flush,
// what a generation takes and gives back, the tracked patterns reloaded under rows not yet written, and
// the pages the generation worker rebuilds the pending counts from.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { patternKey, type StatsBatch } from '@logsieve/core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { addPendingPage, type PendingPage, sendPendingPages } from '../src/generation/pending-pages.js'
import { type Pending, PendingColumns } from '../src/pending.js'
import { StatsAggregator } from '../src/stats-aggregator.js'
import { PatternIndex, splitPatternKey, TextColumn } from '../src/stats-columns.js'
import { ROW_MAX_COUNT } from '../src/stats-limits.js'
import { SqliteStore } from '../src/store/sqlite.js'
import { batch, sig } from './helpers.js'

const MIN = 60_000
const END = Math.floor(Date.now() / MIN) * MIN - 5 * MIN

const statsBatch = (...args: Parameters<typeof batch>) => batch(...args) as StatsBatch
type Row = Parameters<typeof batch>[1][number]
const row = (...r: Row): Row => r
const info = (i: number, seen: number, size = 1): Row => [i, 'info', seen, size]
/** Adds a batch of service `svc` whose window ends at `end`. */
const addTo = (agg: StatsAggregator, rows: Row[], end = END, instance?: string) =>
  agg.add(statsBatch('svc', rows, { end, instance }))

describe('StatsAggregator', () => {
  let dir: string
  let store: SqliteStore
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'logsieve-agg-'))
    store = new SqliteStore(join(dir, 'agg.db'))
  })
  afterEach(() => {
    store.db.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const minuteRows = () =>
    store.db
      .prepare(
        'SELECT signature, level, minute, seen, kept, bytes FROM stats_minute ORDER BY signature, minute',
      )
      .all() as Array<{ signature: string; level: string; minute: number; seen: number }>

  it('sums each pattern per minute, writes rows and metadata, and counts patterns past the cap as overflow', async () => {
    const overflowed: number[] = []
    const agg = new StatsAggregator(store, 3, (_s, _e, seen) => overflowed.push(seen))
    await agg.prepare('svc', 'prod')
    addTo(agg, [info(1, 10, 100), row(2, 'warn', 5, 50)])
    addTo(agg, [info(1, 1, 100), info(3, 2, 10), info(4, 7, 10)])
    addTo(agg, [info(1, 4, 100)], END + MIN)
    await agg.flush()
    expect(minuteRows()).toEqual([
      { signature: sig(1), level: 'info', minute: END - MIN, seen: 11, kept: 11, bytes: 1100 },
      { signature: sig(1), level: 'info', minute: END, seen: 4, kept: 4, bytes: 400 },
      { signature: sig(2), level: 'warn', minute: END - MIN, seen: 5, kept: 5, bytes: 250 },
      { signature: sig(3), level: 'info', minute: END - MIN, seen: 2, kept: 2, bytes: 20 },
    ])
    expect(overflowed).toEqual([7])
    expect(await store.overflowTotals(0)).toMatchObject([{ service: 'svc', seen: 7, bytes: 70 }])
    const patterns = await store.listPatterns('svc', 'prod')
    expect(patterns.map((p) => [p.signature, p.level, p.template, p.lastSeen])).toEqual([
      [sig(1), 'info', 'pattern 1 <*>', END + MIN],
      [sig(2), 'warn', 'pattern 2 <*>', END],
      [sig(3), 'info', 'pattern 3 <*>', END],
    ])
    const pending = agg.takePending('svc', 'prod', END + 2 * MIN)!
    expect(pending.batches).toBe(3)
    expect(pending.patterns.get(patternKey(sig(1), 'info'))).toEqual({
      signature: sig(1),
      level: 'info',
      seen: 15,
      kept: 15,
      bytes: 1500,
      plainBytes: 1500,
    })
    expect([...pending.patterns.keys()]).toEqual(
      [sig(1), sig(2), sig(3)].map((s, i) => patternKey(s, i === 1 ? 'warn' : 'info')),
    )
  })

  it('saturates counts at a stored row’s cap', async () => {
    const agg = new StatsAggregator(store, 10)
    for (let i = 0; i < 10; i++) addTo(agg, [info(1, 2 ** 40, 1)])
    await agg.flush()
    expect(minuteRows()).toMatchObject([{ seen: ROW_MAX_COUNT }])
    expect(agg.peekPending('svc', 'prod')!.patterns.get(patternKey(sig(1), 'info'))!.seen).toBe(ROW_MAX_COUNT)
  })

  it('gives back what a failed generation took: it counts toward the next one, from the same start', async () => {
    const agg = new StatsAggregator(store, 10)
    const seenOf = (p: Pending) =>
      Object.fromEntries([...p.patterns].map(([k, x]) => [splitPatternKey(k).signature, x.seen]))
    addTo(agg, [info(1, 10), info(2, 3)], END, 'a')
    agg.takePending('svc', 'prod', END)
    addTo(agg, [info(1, 5)], END + MIN, 'b')
    const failed = agg.takePending('svc', 'prod', END + MIN)!
    // Meanwhile more arrived, of more patterns than the failed generation took.
    addTo(agg, [info(1, 1), info(3, 2), info(4, 2)], END + MIN)
    agg.restorePending('svc', 'prod', failed)
    const next = agg.takePending('svc', 'prod', END + 2 * MIN)!
    expect(next.since).toBe(END)
    expect(next.batches).toBe(2)
    expect(seenOf(next)).toEqual({ [sig(1)]: 6, [sig(3)]: 2, [sig(4)]: 2 })
    expect([...next.instances.keys()].sort()).toEqual(['b', 'host-1'])
    // The other way round: fewer arrived than the failed generation took.
    addTo(agg, [info(4, 1), info(5, 1)], END + 2 * MIN)
    agg.restorePending('svc', 'prod', next)
    const again = agg.takePending('svc', 'prod', END + 3 * MIN)!
    expect(again).toMatchObject({ since: END, batches: 3 })
    expect(seenOf(again)).toEqual({ [sig(1)]: 6, [sig(3)]: 2, [sig(4)]: 3, [sig(5)]: 1 })
  })

  it('keeps unwritten rows and pending counts when the tracked patterns are loaded again (after retention)', async () => {
    const agg = new StatsAggregator(store, 4)
    await agg.prepare('svc', 'prod')
    addTo(agg, [info(5, 1), info(1, 1)])
    await agg.flush()
    addTo(agg, [info(2, 2), info(1, 1), info(5, 5)])
    agg.forgetTracked()
    // Loaded again in the store's order (1, 5), not the order they arrived in (5, 1).
    await agg.prepare('svc', 'prod')
    // Tracked again: 1 and 5 (stored) and 2 (not written yet), so 3 is the last one the cap admits.
    addTo(agg, [info(3, 3), info(2, 2), info(4, 4)])
    await agg.flush()
    const seen = [
      [sig(1), 2],
      [sig(2), 4],
      [sig(3), 3],
      [sig(5), 6],
    ]
    expect(minuteRows().map((r) => [r.signature, r.seen])).toEqual(seen)
    const patterns = await store.listPatterns('svc', 'prod')
    expect(patterns.map((p) => [p.signature, p.template])).toEqual(
      [1, 2, 3, 5].map((i) => [sig(i), `pattern ${i} <*>`]),
    )
    const pending = agg.takePending('svc', 'prod', END)!
    const pendingSeen = [...pending.patterns.values()].map((p) => [p.signature, p.seen])
    expect(pendingSeen.sort()).toEqual(seen)
    expect(await store.overflowTotals(0)).toMatchObject([{ seen: 4 }])
  })
})

describe('pending pages', () => {
  it('carry counts in columns or in a Map to the worker, which rebuilds the same counts', async () => {
    const columns = new PendingColumns()
    const map = new Map()
    for (let i = 0; i < 25_001; i++) {
      const key = patternKey(sig(i), i % 2 ? 'warn' : 'info')
      columns.add(columns.index.intern(key), i, i - 1, 10 * i, 6 * i, i % 3)
      map.set(key, {
        ...splitPatternKey(key),
        seen: i,
        kept: i - 1,
        bytes: 10 * i,
        plainBytes: 6 * i,
        backfilled: i % 3,
      })
    }
    for (const source of [columns, map]) {
      const pages: PendingPage[] = []
      await sendPendingPages(source, (p) => pages.push(p))
      expect(pages.map((p) => p.keys.length)).toEqual([10_000, 10_000, 5_001])
      const rebuilt = new PendingColumns()
      for (const p of pages) addPendingPage(rebuilt, p)
      expect(rebuilt.size).toBe(25_001)
      for (const i of [0, 1, 9_999, 10_000, 25_000]) {
        const key = patternKey(sig(i), i % 2 ? 'warn' : 'info')
        const { backfilled, ...rest } = map.get(key)
        expect(rebuilt.get(key)).toEqual(backfilled > 0 ? { ...rest, backfilled } : rest)
      }
    }
  })

  it('name patterns the way core builds their keys', () => {
    for (const level of ['trace', 'info', 'fatal'] as const) {
      expect(splitPatternKey(patternKey('a1b2', level))).toEqual({ signature: 'a1b2', level })
    }
  })
})

describe('PatternIndex', () => {
  it('numbers keys in the order they came, finds each again and spells it back', () => {
    const index = new PatternIndex()
    const keys = Array.from({ length: 30_000 }, (_, i) => patternKey(sig(i * 7919), i % 3 ? 'info' : 'error'))
    const ids = keys.map((key) => index.intern(key))
    expect(ids.every((id, i) => id === i)).toBe(true)
    expect(index.size).toBe(keys.length)
    for (const [i, key] of keys.entries()) {
      if (index.id(key) !== i || index.key(i) !== key || index.intern(key) !== i) throw new Error(`key ${i}`)
    }
    expect(index.id(patternKey(sig(1), 'info'))).toBeUndefined()
    expect(index.id('')).toBeUndefined()
    expect(index.intern('')).toBe(keys.length)
    expect(index.key(keys.length)).toBe('')
    expect(index.size).toBe(keys.length + 1)
  })
})

describe('TextColumn', () => {
  it('keeps the latest string or null of each row, of any length', () => {
    const texts = new TextColumn()
    const long = 'é'.repeat(20_000)
    texts.set(0, 'pattern <*> done')
    texts.set(1, null)
    texts.set(2, '')
    texts.set(200, long)
    texts.set(0, 'pattern <*> failed')
    texts.set(1, 'now set')
    expect([0, 1, 2, 200].map((row) => texts.get(row))).toEqual(['pattern <*> failed', 'now set', '', long])
    texts.set(200, null)
    texts.set(2, 'x')
    expect([texts.get(200), texts.get(2), texts.get(0)]).toEqual([null, 'x', 'pattern <*> failed'])
  })
})

describe('PendingColumns', () => {
  it('reads like the Map a store builds: set replaces, get and iteration give the counts by key', () => {
    const columns = new PendingColumns()
    const key = patternKey(sig(1), 'warn')
    columns.add(columns.index.intern(key), 5, 4, 50, 30, 1)
    columns.set(key, { signature: sig(1), level: 'warn', seen: 2, kept: 2, bytes: 20, plainBytes: 12 })
    const other = { signature: sig(2), level: 'info' as const, seen: 1, kept: 0, bytes: 9, plainBytes: 9 }
    columns.set(patternKey(sig(2), 'info'), { ...other, backfilled: 1 })
    expect(new Map([...columns])).toEqual(
      new Map([
        [key, { signature: sig(1), level: 'warn', seen: 2, kept: 2, bytes: 20, plainBytes: 12 }],
        [patternKey(sig(2), 'info'), { ...other, backfilled: 1 }],
      ]),
    )
    expect([columns.size, columns.has(key), columns.get(patternKey(sig(3), 'info'))]).toEqual([
      2,
      true,
      undefined,
    ])
  })
})
