// Pending stats' wire form on PostgreSQL (pg-pending-body.ts): the body read from the aggregator's columns
// is the one a Map of the same counts gives, and a flush's bodies reach `pending_stats` unchanged, whatever
// their names hold, on the real PostgreSQL.
import { patternKey } from '@logsieve/core'
import { afterEach, describe, expect, it } from 'vitest'
import { titled } from '../../../test/support/requirement.js'
import { type Pending, PendingColumns, type PendingPattern } from '../src/pending.js'
import { mergePendingBodies, pendingBody } from '../src/store/pg-pending-body.js'
import { PostgresStore } from '../src/store/postgres.js'
import { sig } from './helpers.js'
import { createTestDatabase, pgSkipReason, sqlRows, type TestDatabase } from './pg.js'

const skip = await pgSkipReason()

const counts: PendingPattern[] = [
  { signature: sig(1), level: 'info', seen: 10, kept: 9, bytes: 1000.5, plainBytes: 800, backfilled: 1 },
  { signature: sig(2), level: 'error', seen: 2 ** 40, kept: 0, bytes: 3.5e12, plainBytes: 2e12 },
]
const instances = (): Pending['instances'] =>
  new Map([
    ['pod "a" \\ ü', { start: 1000, end: 31_000, seen: 12 }],
    ['', { start: 5, end: 6, seen: 1 }],
  ])

function asColumns(): Pending {
  const patterns = new PendingColumns()
  for (const p of counts) {
    const id = patterns.index.intern(patternKey(p.signature, p.level))
    patterns.add(id, p.seen, p.kept, p.bytes, p.plainBytes, p.backfilled ?? 0)
  }
  return { patterns, instances: instances(), batches: 3, since: undefined }
}

const asMap = (): Pending => ({
  patterns: new Map(counts.map((p) => [patternKey(p.signature, p.level), p])),
  instances: instances(),
  batches: 3,
  since: undefined,
})

describe('pending bodies', () => {
  it('are the same from the columns as from a Map, and sum back to the counts', () => {
    const body = pendingBody(asColumns())
    expect(body).toBe(pendingBody(asMap()))
    expect(JSON.parse(body)).toEqual({
      b: 3,
      p: counts.map((p) => [p.signature, p.level, p.seen, p.bytes, p.kept, p.plainBytes, p.backfilled ?? 0]),
      i: [
        ['pod "a" \\ ü', 1000, 31_000, 12],
        ['', 5, 6, 1],
      ],
    })
    const merged = mergePendingBodies([body, body], 42)
    expect(merged).toMatchObject({ batches: 6, since: 42 })
    expect(merged.patterns.get(patternKey(sig(1), 'info'))).toEqual({
      ...counts[0],
      seen: 20,
      kept: 18,
      bytes: 2001,
      plainBytes: 1600,
      backfilled: 2,
    })
    expect(merged.instances.get('pod "a" \\ ü')).toEqual({ start: 1000, end: 31_000, seen: 24 })
  })
})

describe.skipIf(skip)(titled('pending bodies on PostgreSQL', skip), () => {
  let db: TestDatabase | undefined
  let store: PostgresStore | undefined
  afterEach(async () => {
    await store?.close()
    await db?.drop()
    store = undefined
    db = undefined
  })

  it('are stored as written, each under its own group, in one flush', async () => {
    db = await createTestDatabase()
    store = await PostgresStore.open(db.url)
    const odd = 'svc "quoted" \\ ü'
    await store.writeStats(
      [],
      [],
      [
        { service: 'shop', environment: 'prod', pending: asColumns() },
        { service: odd, environment: 'e"nv', pending: asMap() },
      ],
    )
    const stored = await sqlRows(db.url, 'SELECT service, environment, body FROM pending_stats ORDER BY id')
    expect(stored).toEqual([
      { service: 'shop', environment: 'prod', body: pendingBody(asColumns()) },
      { service: odd, environment: 'e"nv', body: pendingBody(asMap()) },
    ])
    const taken = await store.takePending(odd, 'e"nv', 100_000)
    expect(taken?.patterns.get(patternKey(sig(2), 'error'))).toEqual({ ...counts[1], backfilled: 0 })
    expect(taken?.instances.get('pod "a" \\ ü')).toEqual({ start: 1000, end: 31_000, seen: 12 })
  })
})
