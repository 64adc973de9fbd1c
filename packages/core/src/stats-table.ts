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
import type { BatchMeta, OverflowCounts, StatsHandle, StatsRow, StatsSnapshot, StatsTable } from './types.js'

export interface StatsTableOptions {
  /** Most (signature, level) rows held; the rest is summed in the overflow row. @default 2000 */
  capacity?: number
  /** Clock in milliseconds, for the window and firstSeen. @default Date.now */
  now?: () => number
}

/** A held row: the reported counters, plus its space-saving rank and heap position. */
interface Slot extends StatsHandle {
  live: boolean
  row: StatsRow
  /** Space-saving counter: seen since admission plus the rank inherited on eviction. */
  rank: number
  /** Index in the heap. */
  pos: number
  levelIndex: number
}

/** Slot of a level; an unknown level (a bogus snapshot row) counts as info. */
function levelIndex(level: string): number {
  const i = LEVEL_NAMES.indexOf(level as LevelName)
  return i < 0 ? 2 : i
}

/** What a slot points to once its row has left the table: a handle holder keeps no real row alive. */
const GONE = {} as StatsRow

/** A line size the table counts: finite and non-negative, else 0. */
const sizeOrZero = (bytes: number) => (bytes > 0 && bytes < Number.MAX_SAFE_INTEGER ? bytes : 0)

function clip(text: string, max: number): string {
  return text.length > max ? text.slice(0, max) : text
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
  const cap = options?.capacity ?? 2000
  const capacity = Number.isFinite(cap) && cap >= 1 ? Math.floor(cap) : 2000
  const now = options?.now ?? Date.now
  /** signature → one slot per level, so the hot path needs no key concatenation. */
  let bySignature = new Map<string, Array<Slot | undefined>>()
  let heap: Slot[] = []
  /**
   * The heap order is only needed to find the minimum for an eviction, so it is built when the table
   * first fills up: a service with fewer patterns than `capacity` pays no heap upkeep per line.
   */
  let ordered = false
  let overflow = { seen: 0, kept: 0, bytes: 0, plainBytes: 0 }
  let start = now()
  /** Counts held outside the table (onSettle), added before a snapshot or an eviction. */
  const settlers: Array<() => void> = []
  let settling = false
  const settle = () => {
    if (settling) return
    settling = true
    try {
      for (const s of settlers) s()
    } finally {
      settling = false
    }
  }

  const addOverflow = (seen: number, kept: number, bytes: number, plainBytes: number) => {
    overflow.seen += seen
    overflow.kept += kept
    overflow.bytes += bytes
    overflow.plainBytes += plainBytes
  }

  // A hot row has a high rank and sits near the leaves, so its increment usually stops at once.
  function siftDown(i: number): void {
    const n = heap.length
    const slot = heap[i] as Slot
    for (;;) {
      let c = 2 * i + 1
      if (c >= n) break
      if (c + 1 < n && (heap[c + 1] as Slot).rank < (heap[c] as Slot).rank) c++
      const child = heap[c] as Slot
      if (child.rank >= slot.rank) break
      heap[i] = child
      child.pos = i
      i = c
    }
    heap[i] = slot
    slot.pos = i
  }

  /** The row for a key, admitting it (and evicting the minimum when full) if it is not held. */
  function admit(signature: string, level: LevelName, template: string, weight: number): Slot | undefined {
    const li = levelIndex(level)
    const existing = bySignature.get(signature)?.[li]
    if (existing !== undefined) return existing
    let rank = 0
    let pos = heap.length
    if (pos >= capacity) {
      // Held counts first: the minimum is chosen on every row's full count.
      settle()
      const settled = bySignature.get(signature)?.[li]
      if (settled !== undefined) return settled
      pos = heap.length
      if (!ordered) {
        for (let i = (pos >> 1) - 1; i >= 0; i--) siftDown(i)
        ordered = true
      }
      const min = heap[0] as Slot
      // Weighted space-saving: an incoming merged row lighter than the minimum goes to overflow instead.
      if (weight > 1 && min.rank >= weight) return undefined
      const r = min.row
      addOverflow(r.seen, r.kept, r.bytes, r.plainBytes)
      min.live = false
      min.row = GONE
      const slots = bySignature.get(r.signature) as Array<Slot | undefined>
      slots[min.levelIndex] = undefined
      if (slots.every((s) => s === undefined)) bySignature.delete(r.signature)
      // The newcomer inherits the minimum's rank, which no other row is below: it takes the root as is.
      rank = min.rank
      pos = 0
    }
    let slots = bySignature.get(signature)
    if (slots === undefined) {
      slots = [undefined, undefined, undefined, undefined, undefined, undefined]
      bySignature.set(signature, slots)
    }
    const slot: Slot = {
      row: {
        signature,
        level: LEVEL_NAMES[li] as LevelName,
        template: clip(template, MAX_TEMPLATE_LENGTH),
        seen: 0,
        kept: 0,
        bytes: 0,
        keptBytes: 0,
        plainBytes: 0,
        firstSeen: now(),
      },
      rank,
      pos,
      levelIndex: li,
      live: true,
    }
    slots[li] = slot
    heap[pos] = slot
    table.size = heap.length
    return slot
  }

  /** Add to a held row, or to the overflow when the row could not be admitted. */
  function add(
    slot: Slot | undefined,
    seen: number,
    kept: number,
    bytes: number,
    keptBytes: number,
    plainBytes: number,
  ): Slot | undefined {
    if (slot === undefined) {
      addOverflow(seen, kept, bytes, plainBytes)
      return
    }
    const row = slot.row
    row.seen += seen
    row.kept += kept
    row.bytes += bytes
    row.keptBytes += keptBytes
    row.plainBytes += plainBytes
    slot.rank += seen
    if (ordered) siftDown(slot.pos)
    return slot
  }

  // size is a data property, kept by admit and snapshot: a getter in this literal would make the table a
  // V8 dictionary, and every count on it a generic lookup.
  const table: StatsTable & { size: number } = {
    size: 0,
    count(signature, level, template, kept, bytes, plainBytes) {
      table.countInto(table.handle(signature, level, template), kept, bytes, plainBytes)
    },
    // A weight-1 admission always gets a slot: the dead handle only satisfies the type.
    handle: (signature, level, template) => admit(signature, level, template, 1) ?? { live: false },
    addBytes(handle, delta, kept, plainDelta = delta) {
      // The row already holds the estimates the deltas correct, so they cannot go below zero.
      const row = (handle as Slot).row
      if (!handle.live || !(Math.abs(delta) < Number.MAX_SAFE_INTEGER)) return
      row.bytes += delta
      if (kept) row.keptBytes += delta
      if (Math.abs(plainDelta) < Number.MAX_SAFE_INTEGER) row.plainBytes += plainDelta
    },
    countInto(handle, kept, bytes, plainBytes) {
      if (!handle.live) return false
      const b = sizeOrZero(bytes)
      add(
        handle as Slot,
        1,
        kept ? 1 : 0,
        b,
        kept ? b : 0,
        plainBytes === undefined ? b : sizeOrZero(plainBytes),
      )
      return true
    },
    countMany(handle, lines, kept, bytes, plainBytes) {
      if (!handle.live) return false
      const b = sizeOrZero(bytes) * lines
      add(handle as Slot, lines, kept ? lines : 0, b, kept ? b : 0, sizeOrZero(plainBytes) * lines)
      return true
    },
    onSettle(fn) {
      settlers.push(fn)
    },
    backfilled(signature, level) {
      // Only into a held row: a row sent since (a request that outlived a window) lost the line's count.
      const row = bySignature.get(signature)?.[levelIndex(level)]?.row
      if (row !== undefined) row.backfilled = (row.backfilled ?? 0) + 1
    },
    setExample(signature, level, example) {
      const row = bySignature.get(signature)?.[levelIndex(level)]?.row
      if (row !== undefined && row.example === undefined) row.example = clip(example, MAX_EXAMPLE_LENGTH)
    },
    snapshot() {
      settle()
      const end = now()
      const snap: StatsSnapshot = { start, end, rows: heap.map((s) => s.row), overflow }
      // Handles held by samplers now point at nothing: their next countInto asks for a new one.
      for (const slot of heap) {
        slot.live = false
        slot.row = GONE
      }
      bySignature = new Map()
      heap = []
      table.size = 0
      ordered = false
      overflow = { seen: 0, kept: 0, bytes: 0, plainBytes: 0 }
      start = end
      return snap
    },
    merge(snapshot) {
      if (snapshot.start < start) start = snapshot.start
      const o = snapshot.overflow
      addOverflow(o.seen, o.kept, o.bytes, o.plainBytes ?? o.bytes)
      for (const r of snapshot.rows) {
        const row = add(
          admit(r.signature, r.level, r.template, Math.max(1, r.seen)),
          r.seen,
          r.kept,
          r.bytes,
          r.keptBytes,
          r.plainBytes ?? r.bytes,
        )?.row
        if (row === undefined) continue
        if (r.backfilled) row.backfilled = (row.backfilled ?? 0) + r.backfilled
        if (r.firstSeen < row.firstSeen) row.firstSeen = r.firstSeen
        if (row.example === undefined && r.example !== undefined) row.example = r.example
      }
    },
  }
  return table
}

/** An ISO time, or `fallback`'s when `ms` is not a time a Date can hold. */
const isoTime = (ms: number, fallback: number) =>
  new Date(Math.abs(ms) <= 8.64e15 ? ms : fallback).toISOString()
/** Wire counts are whole and non-negative; NaN, Infinity and negatives become 0. */
const whole = (n: number) => (n > 0 && n < Number.POSITIVE_INFINITY ? Math.floor(n) : 0)
const finiteBytes = (n: number) => (n > 0 && n < Number.POSITIVE_INFINITY ? n : 0)

/**
 * Turn a snapshot into a stats batch valid under `statsBatchSchema`: ISO window, templates and examples
 * truncated, the heaviest MAX_PATTERNS_PER_BATCH rows sent and the rest (and any row the wire format
 * cannot carry) summed into `overflow`.
 */
export function toStatsBatch(snapshot: StatsSnapshot, meta: BatchMeta): StatsBatch {
  const now = Date.now()
  const overflow = { seen: 0, kept: 0, bytes: 0, plainBytes: 0 }
  const spill = (r: OverflowCounts) => {
    overflow.seen += whole(r.seen)
    overflow.kept += whole(r.kept)
    overflow.bytes += finiteBytes(r.bytes)
    overflow.plainBytes += finiteBytes(r.plainBytes ?? r.bytes)
  }
  spill(snapshot.overflow)
  const rows = [...snapshot.rows].sort((a, b) => b.seen - a.seen)
  const patterns: StatsBatch['patterns'] = []
  for (const r of rows) {
    if (patterns.length >= MAX_PATTERNS_PER_BATCH || !SIGNATURE_PATTERN.test(r.signature)) {
      spill(r)
      continue
    }
    const p: StatsBatch['patterns'][number] = {
      signature: r.signature,
      level: LEVEL_NAMES[levelIndex(r.level)] as LevelName,
      template: clip(r.template, MAX_TEMPLATE_LENGTH),
      seen: whole(r.seen),
      kept: Math.min(whole(r.kept), whole(r.seen)),
      bytes: finiteBytes(r.bytes),
      keptBytes: finiteBytes(r.keptBytes),
      plainBytes: finiteBytes(r.plainBytes ?? r.bytes),
      firstSeen: isoTime(r.firstSeen, snapshot.start),
    }
    if (r.backfilled) p.backfilled = Math.min(whole(r.backfilled), p.seen - p.kept)
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
