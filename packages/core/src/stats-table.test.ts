import { describe, expect, it } from 'vitest'
import { MAX_TEMPLATE_LENGTH, parseStatsBatch } from './schema.js'
import { createStatsTable, toStatsBatch } from './stats-table.js'
import type { StatsSnapshot } from './types.js'

const sig = (i: number) => i.toString(16).padStart(16, '0')
const meta = { sdk: { name: '@logsieve/test', version: '0.0.0' }, service: 'checkout', environment: 'prod' }

function clock(start = 1_700_000_000_000) {
  let t = start
  return { now: () => t, advance: (ms: number) => (t += ms) }
}

describe('createStatsTable', () => {
  it('counts seen, kept and bytes per (signature, level)', () => {
    const c = clock()
    const t = createStatsTable({ now: c.now })
    t.count(sig(1), 'info', 'user <*> in', true, 100)
    t.count(sig(1), 'info', 'user <*> in', false, 50)
    t.count(sig(1), 'debug', 'user <*> in', false, 10)
    expect(t.size).toBe(2)
    c.advance(30_000)
    const snap = t.snapshot()
    const info = snap.rows.find((r) => r.level === 'info')
    expect(info).toMatchObject({
      signature: sig(1),
      seen: 2,
      kept: 1,
      bytes: 150,
      keptBytes: 100,
      template: 'user <*> in',
    })
    expect(info?.firstSeen).toBe(1_700_000_000_000)
    expect(snap.rows.find((r) => r.level === 'debug')).toMatchObject({ seen: 1, kept: 0, bytes: 10 })
    expect(snap.end - snap.start).toBe(30_000)
  })

  it('snapshot resets the window', () => {
    const c = clock()
    const t = createStatsTable({ now: c.now })
    t.count(sig(1), 'info', 'a', true, 1)
    const first = t.snapshot()
    c.advance(5)
    expect(t.size).toBe(0)
    const second = t.snapshot()
    expect(second.rows).toEqual([])
    expect(second.start).toBe(first.end)
  })

  it('counts through handles like count(), until the row leaves the table', () => {
    const t = createStatsTable({ capacity: 2 })
    const a = t.handle(sig(1), 'info', 'a')
    expect(t.countInto(a, true, 100)).toBe(true)
    t.count(sig(1), 'info', 'a', false, 50)
    expect(t.countInto(a, false, 10)).toBe(true)
    // A new window: the handle is dead, counts nothing, and holds no row of the old window.
    const snap = t.snapshot()
    expect(snap.rows[0]).toMatchObject({ seen: 3, kept: 1, bytes: 160, keptBytes: 100 })
    expect(a.live).toBe(false)
    expect(t.countInto(a, true, 1)).toBe(false)
    expect(snap.rows[0]).toMatchObject({ seen: 3 })
    // Eviction kills the evicted row's handle too; totals stay exact.
    const b = t.handle(sig(2), 'info', 'b')
    t.count(sig(3), 'info', 'c', true, 1)
    t.count(sig(3), 'info', 'c', true, 1)
    t.count(sig(4), 'info', 'd', true, 1) // evicts the lightest row: b's
    expect(b.live).toBe(false)
    expect(t.countInto(b, true, 1)).toBe(false)
    const next = t.snapshot()
    expect(next.rows.map((r) => r.signature).sort()).toEqual([sig(3), sig(4)])
    expect(next.rows.reduce((n, r) => n + r.seen, 0) + next.overflow.seen).toBe(3)
  })

  it('keeps the heavy hitters and sums evicted rows into overflow, conserving totals', () => {
    const t = createStatsTable({ capacity: 10 })
    let total = 0
    for (let round = 0; round < 50; round++) {
      for (let h = 0; h < 5; h++) {
        t.count(sig(h), 'info', `heavy ${h}`, true, 10) // 5 heavy hitters, 50 each
        total++
      }
      for (let k = 0; k < 2; k++) {
        t.count(sig(1000 + round * 2 + k), 'info', 'rare', false, 1) // 100 distinct rare keys
        total++
      }
    }
    expect(t.size).toBeLessThanOrEqual(10)
    const snap = t.snapshot()
    for (let h = 0; h < 5; h++) {
      expect(snap.rows.find((r) => r.signature === sig(h))?.seen).toBe(50)
    }
    const seen = snap.rows.reduce((s, r) => s + r.seen, 0) + snap.overflow.seen
    expect(seen).toBe(total)
    expect(snap.overflow.seen).toBeGreaterThan(90)
  })

  it('evicts the row with the fewest lines once full, and the newcomer inherits its rank', () => {
    const t = createStatsTable({ capacity: 3 })
    for (const [i, n] of [
      [1, 5],
      [2, 1],
      [3, 9],
    ] as const)
      for (let k = 0; k < n; k++) t.count(sig(i), 'info', 't', true, 1)
    t.count(sig(4), 'info', 't', true, 1) // evicts sig(2), rank 1 + 1
    t.count(sig(5), 'info', 't', true, 1) // evicts sig(4) (rank 2), not sig(1) (rank 5)
    const snap = t.snapshot()
    expect(snap.rows.map((r) => r.signature).sort()).toEqual([sig(1), sig(3), sig(5)])
    expect(snap.overflow.seen).toBe(2)
  })

  it('setExample attaches one example per row', () => {
    const t = createStatsTable()
    t.count(sig(1), 'warn', 'x', true, 1)
    t.setExample(sig(1), 'warn', 'first')
    t.setExample(sig(1), 'warn', 'second')
    t.setExample(sig(2), 'warn', 'no row')
    const snap = t.snapshot()
    expect(snap.rows).toHaveLength(1)
    expect(snap.rows[0]?.example).toBe('first')
  })

  it('merge folds an unsent snapshot back in and stays bounded', () => {
    const c = clock()
    const t = createStatsTable({ capacity: 3, now: c.now })
    t.count(sig(1), 'info', 'a', true, 10)
    t.count(sig(2), 'info', 'b', false, 10)
    const unsent = t.snapshot()
    c.advance(1000)
    t.count(sig(1), 'info', 'a', false, 5)
    t.merge(unsent)
    const extra: StatsSnapshot = {
      start: 0,
      end: 1,
      rows: [3, 4, 5, 6].map((i) => ({
        signature: sig(i),
        level: 'info',
        template: 't',
        seen: 1,
        kept: 1,
        bytes: 1,
        keptBytes: 1,
        plainBytes: 1,
        firstSeen: 0,
      })),
      overflow: { seen: 7, kept: 0, bytes: 70 },
    }
    t.merge(extra)
    expect(t.size).toBeLessThanOrEqual(3)
    const snap = t.snapshot()
    expect(snap.start).toBe(0)
    const row1 = snap.rows.find((r) => r.signature === sig(1))
    expect(row1).toMatchObject({ seen: 2, kept: 1, bytes: 15 })
    expect(row1?.firstSeen).toBe(unsent.rows.find((r) => r.signature === sig(1))?.firstSeen)
    const seen = snap.rows.reduce((s, r) => s + r.seen, 0) + snap.overflow.seen
    expect(seen).toBe(3 + 4 + 7)
  })

  it('counts plain bytes beside written bytes, through evictions, merges and the batch', () => {
    const t = createStatsTable({ capacity: 1 })
    t.count(sig(1), 'info', 'a', true, 200, 120)
    t.count(sig(1), 'info', 'a', false, 200)
    // sig(2) evicts sig(1): its plain bytes move to the overflow with its written bytes.
    t.count(sig(2), 'info', 'b', true, 90, 50)
    const snap = t.snapshot()
    expect(snap.rows).toEqual([expect.objectContaining({ bytes: 90, keptBytes: 90, plainBytes: 50 })])
    expect(snap.overflow).toEqual({ seen: 2, kept: 1, bytes: 400, plainBytes: 320 })
    // A snapshot from before plain bytes were counted: plain = written.
    t.merge({ ...snap, overflow: { seen: 1, kept: 0, bytes: 30 } })
    const batch = toStatsBatch(t.snapshot(), meta)
    expect(parseStatsBatch(batch).ok).toBe(true)
    expect(batch.patterns[0]).toMatchObject({ bytes: 90, plainBytes: 50 })
    expect(batch.overflow).toEqual({ seen: 1, kept: 0, bytes: 30, plainBytes: 30 })
  })

  it('ignores nonsense byte counts and truncates huge templates', () => {
    const t = createStatsTable()
    t.count(sig(1), 'info', 'x'.repeat(100_000), true, Number.NaN)
    t.count(sig(1), 'info', 'x', true, -5)
    const row = t.snapshot().rows[0]
    expect(row?.bytes).toBe(0)
    expect(row?.template.length).toBe(MAX_TEMPLATE_LENGTH)
  })
})

describe('toStatsBatch', () => {
  it('produces a batch valid under statsBatchSchema', () => {
    const t = createStatsTable()
    for (let i = 0; i < 50; i++)
      t.count(sig(i), i % 2 ? 'info' : 'debug', `pattern ${i} <*>`, i % 3 === 0, 100)
    t.setExample(sig(0), 'debug', 'e'.repeat(10_000))
    const batch = toStatsBatch(t.snapshot(), { ...meta, instance: 'host-1/1', policyVersion: 4 })
    const parsed = parseStatsBatch(batch)
    expect(parsed.ok).toBe(true)
    expect(batch.patterns).toHaveLength(50)
    expect(batch.policyVersion).toBe(4)
    expect(batch.window.start).toMatch(/^\d{4}-\d\d-\d\dT/)
  })

  it('sends at most MAX_PATTERNS_PER_BATCH rows and folds the rest and invalid rows into overflow', () => {
    const rows = Array.from({ length: 5003 }, (_, i) => ({
      signature: i === 0 ? 'not-a-signature' : sig(i),
      level: 'info' as const,
      template: 't',
      seen: i + 1,
      kept: i + 1,
      bytes: 1,
      keptBytes: 1,
      plainBytes: 1,
      firstSeen: Number.NaN,
    }))
    const batch = toStatsBatch({ start: 0, end: 1000, rows, overflow: { seen: 1, kept: 0, bytes: 0 } }, meta)
    expect(parseStatsBatch(batch).ok).toBe(true)
    expect(batch.patterns).toHaveLength(5000)
    expect(batch.overflow?.seen).toBe(1 + 1 + 2 + 3)
    expect(batch.patterns[0]?.seen).toBe(5003)
  })
})
