// Stats ingestion: batches are validated whole, then summed in memory per (service, environment,
// signature, level, minute) and written every flush interval, so ingest is never one SQL row per pattern
// per request. A second accumulator keeps what arrived since the last generation. Each service/environment
// tracks at most `maxPatternsPerService` patterns; lines of further ones are counted in its overflow row.
import { groupKey, type LevelName, patternKey, type StatsBatch, splitGroupKey } from '@logsieve/core'
import { ROW_MAX_BYTES, ROW_MAX_COUNT } from './stats-limits.js'
import { eachPage } from './store/pages.js'
import {
  isShared,
  type MinuteStats,
  type OverflowStats,
  type PatternMeta,
  type PendingGroup,
  type Store,
} from './store/types.js'

const MINUTE = 60_000
/**
 * On a shared store, a pattern's metadata row is rewritten at most this often when only its last
 * sighting moved: every rewrite is a row lock the other replicas' writes queue behind.
 */
const META_REFRESH_MS = MINUTE
/** Rows per writeStats call: each call is one transaction, short enough not to hold the event loop. */
const FLUSH_CHUNK = 2000

/** Adds without passing a stored row's cap (and without ever overflowing). */
const addCount = (a: number, b: number): number => Math.min(ROW_MAX_COUNT, a + b)
const addBytes = (a: number, b: number): number => Math.min(ROW_MAX_BYTES, a + b)

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

/** What arrived for one service/environment since its last generation. */
export interface Pending {
  patterns: Map<string, PendingPattern>
  /** Per instance: the earliest window start, latest window end (ms) and the lines it saw. */
  instances: Map<string, { start: number; end: number; seen: number }>
  batches: number
  /** When the previous Pending of this service/environment was taken (the last generation), ms. */
  since: number | undefined
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

/** Counts and metadata of one service/environment waiting for the next flush. */
interface Unflushed {
  /** minute → patternKey(signature, level) → counts */
  minutes: Map<number, Map<string, MinuteStats>>
  /** minute → lines of patterns past the cap, and the batches' own overflow rows */
  overflow: Map<number, OverflowStats>
  /** signature → level → where that pattern's counts go: one lookup per pattern instead of three. */
  slots: Map<string, Partial<Record<LevelName, Slot>>>
}

interface Slot {
  meta: PatternMeta
  /** The counts row it last added to (a batch ending in another minute looks its row up again). */
  row: MinuteStats
  /** Its entry in the Pending it was last added to (a generation takes Pending away). */
  pending: PendingPattern | undefined
  pendingOf: Pending | undefined
}

/** A pattern's counts row in one minute's rows, created empty the first time. */
function rowOf(
  rows: Map<string, MinuteStats>,
  p: { signature: string; level: LevelName },
  service: string,
  environment: string,
  minute: number,
): MinuteStats {
  const key = patternKey(p.signature, p.level)
  let row = rows.get(key)
  if (row === undefined) {
    row = {
      service,
      environment,
      signature: p.signature,
      level: p.level,
      minute,
      seen: 0,
      kept: 0,
      bytes: 0,
      keptBytes: 0,
      plainBytes: 0,
    }
    rows.set(key, row)
  }
  return row
}

/** A pattern's entry in what is pending for the next generation (only tracked patterns get one). */
function pendingOf(pend: Pending, p: { signature: string; level: LevelName }): PendingPattern {
  const key = patternKey(p.signature, p.level)
  let pp = pend.patterns.get(key)
  if (pp === undefined) {
    pp = { signature: p.signature, level: p.level, seen: 0, kept: 0, bytes: 0, plainBytes: 0 }
    pend.patterns.set(key, pp)
  }
  return pp
}

/** Folds `from` (a Pending a failed generation took) into `into` (what arrived since). */
function mergePending(into: Pending, from: Pending): void {
  for (const [k, p] of from.patterns) {
    const q = into.patterns.get(k)
    if (q) {
      q.seen = addCount(q.seen, p.seen)
      q.kept = addCount(q.kept, p.kept)
      q.bytes = addBytes(q.bytes, p.bytes)
      q.plainBytes = addBytes(q.plainBytes, p.plainBytes)
      q.backfilled = addCount(q.backfilled ?? 0, p.backfilled ?? 0)
    } else into.patterns.set(k, p)
  }
  for (const [k, w] of from.instances) {
    const v = into.instances.get(k)
    if (v) {
      v.start = Math.min(v.start, w.start)
      v.end = Math.max(v.end, w.end)
      v.seen += w.seen
    } else into.instances.set(k, w)
  }
  into.batches += from.batches
  into.since = from.since
}

export class StatsAggregator {
  private unflushed = new Map<string, Unflushed>()
  /** Per service/environment: the patternKey(signature, level) keys it tracks, loaded from the store once. */
  private readonly tracked = new Map<string, Set<string>>()
  private readonly loading = new Map<string, Promise<void>>()
  private readonly pending = new Map<string, Pending>()
  /** Shared store: per group, each pattern's metadata as last written (see META_REFRESH_MS). */
  private readonly metaWritten = new Map<string, Map<string, PatternMeta>>()
  /** When each service/environment's Pending was last taken (bounded by the groups that send stats). */
  private readonly taken = new Map<string, number>()
  private flushing: Promise<void> = Promise.resolve()
  /** The flush not started yet: what is added now goes into it, so every caller until it starts shares it. */
  private queued: Promise<void> | undefined
  // Batches of one SDK repeat the same firstSeen strings; parsing each once saves most Date.parse calls.
  private lastFirstSeen = ''
  private lastFirstSeenMs = 0

  /**
   * True on a store shared by several processes: each flush also hands the store what is pending for
   * generation (any process may generate next), and a stats batch is acknowledged once flushed.
   */
  readonly durable: boolean

  constructor(
    private readonly store: Store,
    private readonly maxPatterns: number,
    /** Called with the lines counted as overflow, for the metric. */
    private readonly onOverflow: (service: string, environment: string, seen: number) => void = () => {},
  ) {
    this.durable = isShared(store)
  }

  /** Loads the patterns a service/environment already tracks; `add` needs it done first. */
  prepare(service: string, environment: string): Promise<void> {
    const gk = groupKey(service, environment)
    if (this.tracked.has(gk)) return Promise.resolve()
    let p = this.loading.get(gk)
    if (!p) {
      const keys = new Set<string>()
      p = eachPage(this.store, service, environment, (page) => {
        for (const r of page) keys.add(patternKey(r.signature, r.level))
      }).then(
        () => {
          this.tracked.set(gk, keys)
          this.loading.delete(gk)
        },
        (err: unknown) => {
          this.loading.delete(gk)
          throw err
        },
      )
      this.loading.set(gk, p)
    }
    return p
  }

  /** Forget the tracked sets (after retention pruned patterns): they are loaded again on demand. */
  forgetTracked(): void {
    this.tracked.clear()
    this.metaWritten.clear()
  }

  /** The metadata rows worth writing now: new, changed, or last written over META_REFRESH_MS ago. */
  private metaToWrite(metas: PatternMeta[]): PatternMeta[] {
    return metas.filter((m) => {
      const was = this.metaWritten
        .get(groupKey(m.service, m.environment))
        ?.get(patternKey(m.signature, m.level))
      return (
        !was ||
        was.template !== m.template ||
        m.firstSeen < was.firstSeen ||
        m.lastSeen - was.lastSeen >= META_REFRESH_MS
      )
    })
  }

  private metaDone(metas: PatternMeta[]): void {
    for (const m of metas) {
      const gk = groupKey(m.service, m.environment)
      let group = this.metaWritten.get(gk)
      if (!group) {
        group = new Map()
        this.metaWritten.set(gk, group)
      }
      group.set(patternKey(m.signature, m.level), { ...m })
    }
  }

  /** Add one validated batch (after `prepare`). Synchronous: nothing is half-added. */
  add(batch: StatsBatch): void {
    const { service, environment } = batch
    const start = Date.parse(batch.window.start)
    const end = Math.max(start, Date.parse(batch.window.end))
    // Counts are attributed to the minute the window ends in (the last millisecond of it).
    const minute = Math.floor(Math.max(start, end - 1) / MINUTE) * MINUTE
    const gk = groupKey(service, environment)
    let pend = this.pending.get(gk)
    if (!pend) {
      pend = { patterns: new Map(), instances: new Map(), batches: 0, since: this.taken.get(gk) }
      this.pending.set(gk, pend)
    }
    pend.batches++
    const inst = batch.instance ?? ''
    let seen = 0
    for (const p of batch.patterns) seen += p.seen
    const span = pend.instances.get(inst)
    if (span) {
      span.start = Math.min(span.start, start)
      span.end = Math.max(span.end, end)
      span.seen += seen
    } else pend.instances.set(inst, { start, end, seen })
    let group = this.unflushed.get(gk)
    if (!group) {
      group = { minutes: new Map(), overflow: new Map(), slots: new Map() }
      this.unflushed.set(gk, group)
    }
    let tracked = this.tracked.get(gk)
    if (!tracked) {
      tracked = new Set()
      this.tracked.set(gk, tracked)
    }
    let over: OverflowStats | undefined
    const overflowRow = (): OverflowStats => {
      over ??= group.overflow.get(minute)
      if (!over) {
        over = { service, environment, minute, seen: 0, kept: 0, bytes: 0, keptBytes: 0 }
        group.overflow.set(minute, over)
      }
      return over
    }
    let overflowSeen = 0
    if (batch.overflow) {
      const o = overflowRow()
      o.seen = addCount(o.seen, batch.overflow.seen)
      o.kept = addCount(o.kept, batch.overflow.kept)
      o.bytes = addBytes(o.bytes, batch.overflow.bytes)
    }
    let rows = group.minutes.get(minute)
    if (!rows) {
      rows = new Map()
      group.minutes.set(minute, rows)
    }
    const { slots } = group

    for (const p of batch.patterns) {
      let firstSeen = start
      if (p.firstSeen !== undefined) {
        if (p.firstSeen !== this.lastFirstSeen) {
          this.lastFirstSeen = p.firstSeen
          this.lastFirstSeenMs = Date.parse(p.firstSeen)
        }
        firstSeen = Math.min(this.lastFirstSeenMs, start)
      }
      let levels = slots.get(p.signature)
      if (levels === undefined) {
        levels = {}
        slots.set(p.signature, levels)
      }
      let slot = levels[p.level]
      if (slot === undefined) {
        const key = patternKey(p.signature, p.level)
        if (!tracked.has(key)) {
          if (tracked.size >= this.maxPatterns) {
            // Past the cap: counted, the way an SDK's overflow row counts the patterns it cannot hold.
            const o = overflowRow()
            o.seen = addCount(o.seen, p.seen)
            o.kept = addCount(o.kept, p.kept)
            o.bytes = addBytes(o.bytes, p.bytes)
            o.keptBytes = addBytes(o.keptBytes, p.keptBytes ?? 0)
            overflowSeen += p.seen
            continue
          }
          tracked.add(key)
        }
        const meta: PatternMeta = {
          service,
          environment,
          signature: p.signature,
          level: p.level,
          template: p.template,
          example: p.example ?? null,
          firstSeen,
          lastSeen: end,
        }
        slot = {
          meta,
          row: rowOf(rows, p, service, environment, minute),
          pending: undefined,
          pendingOf: undefined,
        }
        levels[p.level] = slot
      } else {
        const { meta } = slot
        meta.template = p.template
        if (p.example !== undefined) meta.example = p.example
        if (firstSeen < meta.firstSeen) meta.firstSeen = firstSeen
        if (end > meta.lastSeen) meta.lastSeen = end
        if (slot.row.minute !== minute) slot.row = rowOf(rows, p, service, environment, minute)
      }
      const row = slot.row
      row.seen = addCount(row.seen, p.seen)
      row.kept = addCount(row.kept, p.kept)
      row.bytes = addBytes(row.bytes, p.bytes)
      row.keptBytes = addBytes(row.keptBytes, p.keptBytes ?? 0)
      // An SDK from before plain bytes were counted: its lines carry no fields of ours to leave out.
      const plainBytes = p.plainBytes ?? p.bytes
      row.plainBytes = addBytes(row.plainBytes, plainBytes)
      if (slot.pendingOf !== pend) {
        slot.pendingOf = pend
        slot.pending = pendingOf(pend, p)
      }
      const pp = slot.pending as PendingPattern
      pp.seen = addCount(pp.seen, p.seen)
      pp.kept = addCount(pp.kept, p.kept)
      pp.bytes = addBytes(pp.bytes, p.bytes)
      pp.plainBytes = addBytes(pp.plainBytes, plainBytes)
      if (p.backfilled) pp.backfilled = addCount(pp.backfilled ?? 0, Math.min(p.backfilled, p.seen - p.kept))
    }
    if (overflowSeen > 0) this.onOverflow(service, environment, overflowSeen)
  }

  /**
   * Write everything aggregated so far, in transactions of FLUSH_CHUNK rows with a turn of the event loop
   * between them. Callers until it starts share it.
   */
  flush(): Promise<void> {
    // At most one write running and one waiting: callers wait for the write that holds their stats, not
    // for one write per earlier caller (the group commit behind durable acknowledgements).
    if (this.queued) return this.queued
    const run = async (): Promise<void> => {
      this.queued = undefined
      if (this.unflushed.size === 0) return
      const groups = this.unflushed
      this.unflushed = new Map()
      const rows: MinuteStats[] = []
      const metas: PatternMeta[] = []
      const overflow: OverflowStats[] = []
      for (const g of groups.values()) {
        for (const byPattern of g.minutes.values()) for (const r of byPattern.values()) rows.push(r)
        for (const levels of g.slots.values()) {
          for (const slot of Object.values(levels)) if (slot) metas.push(slot.meta)
        }
        for (const o of g.overflow.values()) overflow.push(o)
      }
      if (this.durable) {
        // A shared store is written over the network (the event loop is free meanwhile), in one
        // transaction with what is pending for generation.
        const pending: PendingGroup[] = []
        for (const [gk, p] of this.pending) {
          const [service, environment] = splitGroupKey(gk)
          pending.push({ service, environment, pending: p })
        }
        this.pending.clear()
        const fresh = this.metaToWrite(metas)
        await this.store.writeStats(rows, fresh, pending, overflow)
        this.metaDone(fresh)
        return
      }
      for (let i = 0; i === 0 || i < Math.max(rows.length, metas.length); i += FLUSH_CHUNK) {
        if (i > 0) await new Promise((r) => setImmediate(r))
        const chunk = [rows.slice(i, i + FLUSH_CHUNK), metas.slice(i, i + FLUSH_CHUNK)] as const
        await this.store.writeStats(...chunk, undefined, i === 0 ? overflow : [])
      }
    }
    // A failed flush must not wedge the queue: the next one runs either way.
    this.flushing = this.flushing.then(run, run)
    this.queued = this.flushing
    return this.flushing
  }

  /** Service/environment pairs with stats since their last generation. */
  pendingGroups(): Array<{ service: string; environment: string }> {
    return [...this.pending.keys()].map((k) => {
      const [service, environment] = splitGroupKey(k)
      return { service, environment }
    })
  }

  peekPending(service: string, environment: string): Pending | undefined {
    return this.pending.get(groupKey(service, environment))
  }

  /** What arrived since the last take; `now` starts the next period. */
  takePending(service: string, environment: string, now: number): Pending | undefined {
    const gk = groupKey(service, environment)
    const p = this.pending.get(gk)
    this.pending.delete(gk)
    this.taken.set(gk, now)
    return p
  }

  /** Give back what a failed generation took: its period's stats count toward the next one. */
  restorePending(service: string, environment: string, taken: Pending | undefined): void {
    if (!taken) return
    const gk = groupKey(service, environment)
    const since = this.pending.get(gk)
    if (since) mergePending(since, taken)
    else this.pending.set(gk, taken)
    if (taken.since === undefined) this.taken.delete(gk)
    else this.taken.set(gk, taken.since)
  }
}
