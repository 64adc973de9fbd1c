// What arrived for one service/environment since its last generation. The aggregator keeps each
// pattern's counts in the columns of PendingColumns (one row per pattern id, no object per pattern); to
// its readers it is a read-only Map from patternKey(signature, level) to counts, like a store's own Map.
import type { LevelName } from '@logsieve/core'
import { fieldsOf, IdRows, PatternIndex, reindex, splitPatternKey } from './stats-columns.js'
import { ROW_MAX_BYTES, ROW_MAX_COUNT } from './stats-limits.js'

/** Adds without passing a stored row's cap (and without ever overflowing). */
export const addCount = (a: number, b: number): number => Math.min(ROW_MAX_COUNT, a + b)
export const addBytes = (a: number, b: number): number => Math.min(ROW_MAX_BYTES, a + b)

export interface PendingPattern {
  signature: string
  level: LevelName
  seen: number
  /** Lines kept by the SDKs: fewer than seen when the pattern was sampled. */
  kept: number
  bytes: number
  plainBytes: number
  /** Dropped lines backfill wrote after all (at most seen − kept). Missing from older pending bodies. */
  backfilled?: number
}

/** A pattern's counts without its name. */
export type PatternCounts = Pick<PendingPattern, 'seen' | 'kept' | 'bytes' | 'plainBytes' | 'backfilled'>

/** Pending counts by patternKey(signature, level): PendingColumns, or a Map a store builds. */
export type PendingPatterns = ReadonlyMap<string, PendingPattern> & {
  set(key: string, p: PendingPattern): unknown
}

/** What arrived for one service/environment since its last generation. */
export interface Pending {
  patterns: PendingPatterns
  /** Per instance: the earliest window start, latest window end (ms) and the lines it saw. */
  instances: Map<string, { start: number; end: number; seen: number }>
  batches: number
  /** When the previous Pending of this service/environment was taken (the last generation), ms. */
  since: number | undefined
}

/** The columns of a pending row, in the order pages to the generation worker carry them too. */
export const PENDING = fieldsOf('seen', 'kept', 'bytes', 'plainBytes', 'backfilled')

/** Pending counts of the patterns of `index`, one row of PENDING.width numbers each. */
export class PendingColumns implements ReadonlyMap<string, PendingPattern> {
  readonly rows = new IdRows(PENDING.width)

  constructor(readonly index: PatternIndex = new PatternIndex()) {}

  get size(): number {
    return this.rows.size
  }

  /** Adds to pattern `id`'s counts, saturating at a stored row's caps. */
  add(id: number, seen: number, kept: number, bytes: number, plainBytes: number, backfilled: number): void {
    const at = this.rows.row(id) * PENDING.width
    const v = this.rows.values
    v[at + PENDING.seen] = addCount(v[at + PENDING.seen]!, seen)
    v[at + PENDING.kept] = addCount(v[at + PENDING.kept]!, kept)
    v[at + PENDING.bytes] = addBytes(v[at + PENDING.bytes]!, bytes)
    v[at + PENDING.plainBytes] = addBytes(v[at + PENDING.plainBytes]!, plainBytes)
    v[at + PENDING.backfilled] = addCount(v[at + PENDING.backfilled]!, backfilled)
  }

  /** Adds to pattern `id`'s counts the PENDING row at `at` in `v` (another's columns, a page). */
  addRow(id: number, v: Float64Array, at: number): void {
    const f = PENDING
    this.add(
      id,
      v[at + f.seen]!,
      v[at + f.kept]!,
      v[at + f.bytes]!,
      v[at + f.plainBytes]!,
      v[at + f.backfilled]!,
    )
  }

  /** The key of a row. */
  keyAt(row: number): string {
    return this.index.key(this.rows.ids[row]!)
  }

  /** A row as an object, made on demand. */
  patternAt(row: number): PendingPattern {
    const v = this.rows.values
    const at = row * PENDING.width
    const p: PendingPattern = {
      ...splitPatternKey(this.keyAt(row)),
      seen: v[at + PENDING.seen]!,
      kept: v[at + PENDING.kept]!,
      bytes: v[at + PENDING.bytes]!,
      plainBytes: v[at + PENDING.plainBytes]!,
    }
    if (v[at + PENDING.backfilled]! > 0) p.backfilled = v[at + PENDING.backfilled]!
    return p
  }

  private rowOf(key: string): number {
    const id = this.index.id(key)
    return id === undefined ? -1 : this.rows.find(id)
  }

  get(key: string): PendingPattern | undefined {
    const row = this.rowOf(key)
    return row < 0 ? undefined : this.patternAt(row)
  }

  has(key: string): boolean {
    return this.rowOf(key) >= 0
  }

  /** Replaces a pattern's counts. */
  set(key: string, p: PendingPattern): this {
    const id = this.index.intern(key)
    const at = this.rows.row(id) * PENDING.width
    this.rows.values.fill(0, at, at + PENDING.width)
    this.add(id, p.seen, p.kept, p.bytes, p.plainBytes, p.backfilled ?? 0)
    return this
  }

  *keys(): MapIterator<string> {
    for (let row = 0; row < this.rows.size; row++) yield this.keyAt(row)
  }

  *values(): MapIterator<PendingPattern> {
    for (let row = 0; row < this.rows.size; row++) yield this.patternAt(row)
  }

  *entries(): MapIterator<[string, PendingPattern]> {
    for (let row = 0; row < this.rows.size; row++) yield [this.keyAt(row), this.patternAt(row)]
  }

  [Symbol.iterator](): MapIterator<[string, PendingPattern]> {
    return this.entries()
  }

  forEach(fn: (p: PendingPattern, key: string, map: ReadonlyMap<string, PendingPattern>) => void): void {
    for (let row = 0; row < this.rows.size; row++) fn(this.patternAt(row), this.keyAt(row), this)
  }

  /** Adds every count of `from` (pending of another index, or a store's Map) to these. */
  addAll(from: ReadonlyMap<string, PendingPattern>): void {
    if (!(from instanceof PendingColumns)) {
      for (const [key, p] of from) {
        this.add(this.index.intern(key), p.seen, p.kept, p.bytes, p.plainBytes, p.backfilled ?? 0)
      }
      return
    }
    const to = from.index === this.index ? (id: number) => id : reindex(from.index, this.index)
    const { ids, values, size } = from.rows
    for (let row = 0; row < size; row++) this.addRow(to(ids[row]!), values, row * PENDING.width)
  }
}

/** `p`'s patterns as PendingColumns over `index`: itself when they already are. */
export function columnsOf(p: Pending, index: PatternIndex): PendingColumns {
  if (p.patterns instanceof PendingColumns && p.patterns.index === index) return p.patterns
  const columns = new PendingColumns(index)
  columns.addAll(p.patterns)
  return columns
}

/** Widens instance `key`'s span in `instances` by a window of `seen` lines from `start` to `end`. */
export function addSpan(
  instances: Pending['instances'],
  key: string,
  start: number,
  end: number,
  seen: number,
): void {
  const span = instances.get(key)
  if (span) {
    span.start = Math.min(span.start, start)
    span.end = Math.max(span.end, end)
    span.seen += seen
  } else instances.set(key, { start, end, seen })
}

/**
 * Folds two Pendings of a service/environment into one: `taken` (what a failed generation took) and
 * `since` (what arrived since). The smaller's counts go into the larger's columns; the period starts at
 * `taken`'s.
 */
export function mergePending(since: Pending, taken: Pending, index: PatternIndex): Pending {
  const [big, small] = taken.patterns.size > since.patterns.size ? [taken, since] : [since, taken]
  const patterns = columnsOf(big, index)
  patterns.addAll(small.patterns)
  const instances = big.instances
  for (const [k, w] of small.instances) addSpan(instances, k, w.start, w.end, w.seen)
  return { patterns, instances, batches: since.batches + taken.batches, since: taken.since }
}

/**
 * Seconds the pending counts cover, such that Σ counts / seconds is the fleet's rate over the period.
 * Each instance's lines are spread over its own span, but never less than the period since the last
 * generation: a browser tab that lived 10 s of a 60 s period adds its lines over 60 s, not as if it had
 * logged at that pace all period (which overstated the rates of fleets of short-lived instances). Twenty
 * steady instances each reporting the period give 20 × one instance's counts over the period. Instances
 * are weighted by their volume (exact when every instance logs the same mix of patterns).
 */
export function pendingSeconds(p: Pending, now: number): number {
  // The period: the windows' union, but no longer than since the last generation (staggered instances'
  // windows reach back past it) — after a pause in stats, the time since the last generation is not.
  let first = Number.POSITIVE_INFINITY
  let last = Number.NEGATIVE_INFINITY
  for (const w of p.instances.values()) {
    first = Math.min(first, w.start)
    last = Math.max(last, w.end)
  }
  let period = Math.max(0, last - first)
  if (p.since !== undefined) period = Math.min(period, Math.max(0, now - p.since))
  let lines = 0
  let perMs = 0
  let spans = 0
  for (const w of p.instances.values()) {
    const span = Math.max(1, w.end - w.start, period)
    lines += w.seen
    perMs += w.seen / span
    spans += span
  }
  const ms = lines > 0 ? lines / perMs : spans / Math.max(1, p.instances.size)
  return Math.max(1, ms / 1000)
}
