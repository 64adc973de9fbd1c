// Stats ingestion: batches are validated whole, then summed in memory per (service, environment,
// signature, level, minute) and written in one transaction every flush interval, so ingest is never one
// SQL row per pattern per request. A second accumulator keeps what arrived since the last generation.
import type { LevelName, StatsBatch } from '@logsieve/core'
import { isShared, type MinuteStats, type PatternMeta, type PendingGroup, type Store } from './store/types.js'

const MINUTE = 60_000
/** Distinct patterns one service/environment may accumulate between two generations. */
const MAX_PENDING_PATTERNS = 100_000

export interface PendingPattern {
  signature: string
  level: LevelName
  seen: number
  /** Lines kept by the SDKs: fewer than seen when the pattern was sampled. */
  kept: number
  bytes: number
  plainBytes: number
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

export const groupKey = (service: string, environment: string): string => `${service}\u0000${environment}`

/** Counts and metadata of one service/environment waiting for the next flush. */
interface Unflushed {
  /** minute → (signature + level) → counts */
  minutes: Map<number, Map<string, MinuteStats>>
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
  // Signatures are exactly 16 characters, so signature + level is an unambiguous key.
  const key = p.signature + p.level
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

/** A pattern's entry in what is pending for the next generation (none past MAX_PENDING_PATTERNS). */
function pendingOf(pend: Pending, p: { signature: string; level: LevelName }): PendingPattern | undefined {
  const key = p.signature + p.level
  let pp = pend.patterns.get(key)
  if (pp === undefined && pend.patterns.size < MAX_PENDING_PATTERNS) {
    pp = { signature: p.signature, level: p.level, seen: 0, kept: 0, bytes: 0, plainBytes: 0 }
    pend.patterns.set(key, pp)
  }
  return pp
}

export class StatsAggregator {
  private unflushed = new Map<string, Unflushed>()
  private readonly pending = new Map<string, Pending>()
  /** When each service/environment's Pending was last taken (bounded by the groups that send stats). */
  private readonly taken = new Map<string, number>()
  private flushing: Promise<void> = Promise.resolve()
  // Batches of one SDK repeat the same firstSeen strings; parsing each once saves most Date.parse calls.
  private lastFirstSeen = ''
  private lastFirstSeenMs = 0

  /**
   * True on a store shared by several processes: each flush also hands the store what is pending for
   * generation (any process may generate next), and a stats batch is acknowledged once flushed.
   */
  readonly durable: boolean

  constructor(private readonly store: Store) {
    this.durable = isShared(store)
  }

  /** Add one validated batch. Synchronous: nothing is half-added. */
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
      group = { minutes: new Map(), slots: new Map() }
      this.unflushed.set(gk, group)
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
      row.seen += p.seen
      row.kept += p.kept
      row.bytes += p.bytes
      row.keptBytes += p.keptBytes ?? 0
      // An SDK from before plain bytes were counted: its lines carry no fields of ours to leave out.
      const plainBytes = p.plainBytes ?? p.bytes
      row.plainBytes += plainBytes
      if (slot.pendingOf !== pend) {
        slot.pendingOf = pend
        slot.pending = pendingOf(pend, p)
      }
      if (slot.pending !== undefined) {
        slot.pending.seen += p.seen
        slot.pending.kept += p.kept
        slot.pending.bytes += p.bytes
        slot.pending.plainBytes += plainBytes
      }
    }
  }

  /** Write everything aggregated so far in one transaction. Concurrent calls queue behind each other. */
  flush(): Promise<void> {
    const run = async (): Promise<void> => {
      if (this.unflushed.size === 0) return
      const groups = this.unflushed
      this.unflushed = new Map()
      const rows: MinuteStats[] = []
      const metas: PatternMeta[] = []
      for (const g of groups.values()) {
        for (const byPattern of g.minutes.values()) for (const r of byPattern.values()) rows.push(r)
        for (const levels of g.slots.values()) {
          for (const slot of Object.values(levels)) if (slot) metas.push(slot.meta)
        }
      }
      const pending: PendingGroup[] | undefined = this.durable ? [] : undefined
      if (pending) {
        for (const [gk, p] of this.pending) {
          const [service, environment] = gk.split('\u0000') as [string, string]
          pending.push({ service, environment, pending: p })
        }
        this.pending.clear()
      }
      await this.store.writeStats(rows, metas, pending)
    }
    // A failed flush must not wedge the queue: the next one runs either way.
    this.flushing = this.flushing.then(run, run)
    return this.flushing
  }

  /** Service/environment pairs with stats since their last generation. */
  pendingGroups(): Array<{ service: string; environment: string }> {
    return [...this.pending.keys()].map((k) => {
      const [service, environment] = k.split('\u0000') as [string, string]
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
}
