// Bounded per-(signature, level) counters for one flush window. Cardinality is held with the
// space-saving algorithm (Metwally et al., 2005): a min-heap of rank counters; a new key evicts the
// minimum and inherits its rank + 1, so heavy hitters (> N/capacity lines) are never evicted. Reported
// counts stay exact: an evicted row's seen/kept/bytes move to the overflow row, never to its successor.

import {
  MAX_EXAMPLE_LENGTH,
  MAX_PATTERNS_PER_BATCH,
  MAX_TEMPLATE_LENGTH,
  SIGNATURE_PATTERN,
} from './contract.js'
import type { StatsBatch } from './schema.js'
import { LEVEL_NAMES, type LevelName } from './severity.js'
import type { BatchMeta, StatsRow, StatsSnapshot, StatsTable } from './types.js'

export interface StatsTableOptions {
  /** Most (signature, level) rows held; the rest is summed in the overflow row. @default 2000 */
  capacity?: number
  /** Clock in milliseconds, for the window and firstSeen. @default Date.now */
  now?: () => number
}

interface Row extends StatsRow {
  /** Space-saving counter: seen since admission plus the rank inherited on eviction. */
  rank: number
  /** Index in the heap. */
  pos: number
  levelIndex: number
}

// Null prototype: a bogus level such as 'toString' must find nothing, not Object.prototype.toString.
const LEVEL_INDEX: Readonly<Record<string, number>> = Object.assign(
  Object.create(null),
  Object.fromEntries(LEVEL_NAMES.map((l, i) => [l, i])),
)

function clip(text: string, max: number): string {
  return text.length > max ? text.slice(0, max) : text
}

class SpaceSavingTable implements StatsTable {
  private readonly capacity: number
  private readonly now: () => number
  /** signature → one slot per level, so the hot path needs no key concatenation. */
  private bySignature = new Map<string, Array<Row | undefined>>()
  private heap: Row[] = []
  /**
   * The heap order is only needed to find the minimum for an eviction, so it is built when the table
   * first fills up: a service with fewer patterns than `capacity` pays no heap upkeep per line.
   */
  private ordered = false
  private overflow = { seen: 0, kept: 0, bytes: 0 }
  private start: number

  constructor(options?: StatsTableOptions) {
    const cap = options?.capacity ?? 2000
    this.capacity = Number.isFinite(cap) && cap >= 1 ? Math.floor(cap) : 2000
    this.now = options?.now ?? Date.now
    this.start = this.now()
  }

  get size(): number {
    return this.heap.length
  }

  count(signature: string, level: LevelName, template: string, kept: boolean, bytes: number): void {
    const b = bytes > 0 && bytes < Number.MAX_SAFE_INTEGER ? bytes : 0
    const row = this.row(signature, level, template, 1)
    if (row === undefined) {
      this.addOverflow(1, kept ? 1 : 0, b)
      return
    }
    row.seen++
    row.bytes += b
    if (kept) {
      row.kept++
      row.keptBytes += b
    }
    row.rank++
    if (this.ordered) this.siftDown(row.pos)
  }

  setExample(signature: string, level: LevelName, example: string): void {
    const row = this.bySignature.get(signature)?.[LEVEL_INDEX[level] ?? 2]
    if (row !== undefined && row.example === undefined) row.example = clip(example, MAX_EXAMPLE_LENGTH)
  }

  snapshot(): StatsSnapshot {
    const end = this.now()
    const rows: StatsRow[] = this.heap.map((r) => {
      const out: StatsRow = {
        signature: r.signature,
        level: r.level,
        template: r.template,
        seen: r.seen,
        kept: r.kept,
        bytes: r.bytes,
        keptBytes: r.keptBytes,
        firstSeen: r.firstSeen,
      }
      if (r.example !== undefined) out.example = r.example
      return out
    })
    const snap: StatsSnapshot = { start: this.start, end, rows, overflow: this.overflow }
    this.bySignature = new Map()
    this.heap = []
    this.ordered = false
    this.overflow = { seen: 0, kept: 0, bytes: 0 }
    this.start = end
    return snap
  }

  merge(snapshot: StatsSnapshot): void {
    if (snapshot.start < this.start) this.start = snapshot.start
    this.addOverflow(snapshot.overflow.seen, snapshot.overflow.kept, snapshot.overflow.bytes)
    for (const r of snapshot.rows) {
      const row = this.row(r.signature, r.level, r.template, Math.max(1, r.seen))
      if (row === undefined) {
        this.addOverflow(r.seen, r.kept, r.bytes)
        continue
      }
      row.seen += r.seen
      row.kept += r.kept
      row.bytes += r.bytes
      row.keptBytes += r.keptBytes
      if (r.firstSeen < row.firstSeen) row.firstSeen = r.firstSeen
      if (row.example === undefined && r.example !== undefined) row.example = r.example
      row.rank += r.seen
      if (this.ordered) this.siftDown(row.pos)
    }
  }

  private addOverflow(seen: number, kept: number, bytes: number): void {
    this.overflow.seen += seen
    this.overflow.kept += kept
    this.overflow.bytes += bytes
  }

  /** The row for a key, admitting it (and evicting the minimum when full) if it is not held. */
  private row(signature: string, level: LevelName, template: string, weight: number): Row | undefined {
    const li = LEVEL_INDEX[level] ?? 2
    let slots = this.bySignature.get(signature)
    const existing = slots?.[li]
    if (existing !== undefined) return existing
    let rank = 0
    if (this.heap.length >= this.capacity) {
      if (!this.ordered) this.heapify()
      const min = this.heap[0] as Row
      // Weighted space-saving: an incoming merged row lighter than the minimum goes to overflow instead.
      if (weight > 1 && min.rank >= weight) return undefined
      this.evictMin()
      rank = min.rank
      // The evicted row may have been this signature's last slot, which drops the slot array.
      slots = this.bySignature.get(signature)
    }
    if (slots === undefined) {
      slots = [undefined, undefined, undefined, undefined, undefined, undefined]
      this.bySignature.set(signature, slots)
    }
    const row: Row = {
      signature,
      level: LEVEL_NAMES[li] as LevelName,
      template: clip(template, MAX_TEMPLATE_LENGTH),
      seen: 0,
      kept: 0,
      bytes: 0,
      keptBytes: 0,
      firstSeen: this.now(),
      rank,
      pos: this.heap.length,
      levelIndex: li,
    }
    slots[li] = row
    this.heap.push(row)
    if (this.ordered) this.siftUp(row.pos)
    return row
  }

  private evictMin(): void {
    const min = this.heap[0] as Row
    this.addOverflow(min.seen, min.kept, min.bytes)
    const slots = this.bySignature.get(min.signature)
    if (slots !== undefined) {
      slots[min.levelIndex] = undefined
      if (slots.every((s) => s === undefined)) this.bySignature.delete(min.signature)
    }
    const last = this.heap.pop() as Row
    if (last !== min) {
      last.pos = 0
      this.heap[0] = last
      this.siftDown(0)
    }
  }

  private heapify(): void {
    for (let i = (this.heap.length >> 1) - 1; i >= 0; i--) this.siftDown(i)
    this.ordered = true
  }

  private siftUp(i: number): void {
    const heap = this.heap
    const row = heap[i] as Row
    while (i > 0) {
      const parent = (i - 1) >> 1
      const p = heap[parent] as Row
      if (p.rank <= row.rank) break
      heap[i] = p
      p.pos = i
      i = parent
    }
    heap[i] = row
    row.pos = i
  }

  // A hot row has a high rank and sits near the leaves, so its increment usually stops at once.
  private siftDown(i: number): void {
    const heap = this.heap
    const n = heap.length
    const row = heap[i] as Row
    for (;;) {
      const l = 2 * i + 1
      if (l >= n) break
      const r = l + 1
      let c = l
      if (r < n && (heap[r] as Row).rank < (heap[l] as Row).rank) c = r
      const child = heap[c] as Row
      if (child.rank >= row.rank) break
      heap[i] = child
      child.pos = i
      i = c
    }
    heap[i] = row
    row.pos = i
  }
}

/**
 * A bounded stats table for one SDK instance.
 *
 * @example
 * const stats = createStatsTable({ capacity: 2000 })
 * stats.count('9f2c4e1a7b3d5f60', 'info', 'user <*> logged in', false, 120)
 * const batch = toStatsBatch(stats.snapshot(), { sdk, service: 'checkout', environment: 'prod' })
 */
export function createStatsTable(options?: StatsTableOptions): StatsTable {
  return new SpaceSavingTable(options)
}

function isoTime(ms: number, fallback: number): string {
  const d = new Date(Number.isFinite(ms) ? ms : fallback)
  return Number.isNaN(d.getTime()) ? new Date(fallback).toISOString() : d.toISOString()
}

function wholeCount(n: number): number {
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : 0
}

function finiteBytes(n: number): number {
  return Number.isFinite(n) && n > 0 ? n : 0
}

/**
 * Turn a snapshot into a stats batch valid under `statsBatchSchema`: ISO window, templates and examples
 * truncated, the heaviest MAX_PATTERNS_PER_BATCH rows sent and the rest (and any row the wire format
 * cannot carry) summed into `overflow`.
 */
export function toStatsBatch(snapshot: StatsSnapshot, meta: BatchMeta): StatsBatch {
  const now = Date.now()
  const overflow = {
    seen: wholeCount(snapshot.overflow.seen),
    kept: wholeCount(snapshot.overflow.kept),
    bytes: finiteBytes(snapshot.overflow.bytes),
  }
  const rows = [...snapshot.rows].sort((a, b) => b.seen - a.seen)
  const patterns: StatsBatch['patterns'] = []
  for (const r of rows) {
    if (patterns.length >= MAX_PATTERNS_PER_BATCH || !SIGNATURE_PATTERN.test(r.signature)) {
      overflow.seen += wholeCount(r.seen)
      overflow.kept += wholeCount(r.kept)
      overflow.bytes += finiteBytes(r.bytes)
      continue
    }
    const p: StatsBatch['patterns'][number] = {
      signature: r.signature,
      level: LEVEL_INDEX[r.level] === undefined ? 'info' : r.level,
      template: clip(r.template, MAX_TEMPLATE_LENGTH),
      seen: wholeCount(r.seen),
      kept: Math.min(wholeCount(r.kept), wholeCount(r.seen)),
      bytes: finiteBytes(r.bytes),
      keptBytes: finiteBytes(r.keptBytes),
      firstSeen: isoTime(r.firstSeen, snapshot.start),
    }
    if (r.example !== undefined) p.example = clip(r.example, MAX_EXAMPLE_LENGTH)
    patterns.push(p)
  }
  const batch: StatsBatch = {
    sdk: { name: clip(meta.sdk.name, 128), version: clip(meta.sdk.version, 64) },
    service: meta.service,
    environment: meta.environment,
    window: { start: isoTime(snapshot.start, now), end: isoTime(snapshot.end, now) },
    patterns,
    overflow,
  }
  if (meta.instance !== undefined) batch.instance = clip(meta.instance, 256)
  if (meta.policyVersion !== undefined) batch.policyVersion = meta.policyVersion
  return batch
}
