// Stats ingestion: batches are validated whole, then summed in memory per (service, environment,
// signature, level, minute) and written every flush interval, so ingest is never one SQL row per pattern
// per request. A second accumulator keeps what arrived since the last generation. Each service/environment
// tracks at most `maxPatternsPerService` patterns; lines of further ones are counted in its overflow row.
// Both accumulators are columns over the group's pattern ids (stats-columns.ts): no object per pattern.
import { groupKey, patternKey, type StatsBatch, splitGroupKey } from '@logsieve/core'
import {
  addBytes,
  addCount,
  addSpan,
  columnsOf,
  mergePending,
  type Pending,
  PendingColumns,
} from './pending.js'
import { PatternIndex } from './stats-columns.js'
import { eachPage } from './store/pages.js'
import {
  isShared,
  type MinuteStats,
  type OverflowStats,
  type PatternMeta,
  type PendingGroup,
  type Store,
} from './store/types.js'
import { MINUTE_ROW, Unflushed } from './unflushed.js'
import { WrittenMeta } from './written-meta.js'

export { type Pending, type PendingPattern, pendingSeconds } from './pending.js'

const MINUTE = 60_000
/** Rows per writeStats call: each call is one transaction, short enough not to hold the event loop. */
const FLUSH_CHUNK = 2000

/** Up to `n` more items of `it`. */
function take<T>(it: Iterator<T>, n: number): T[] {
  const out: T[] = []
  while (out.length < n) {
    const r = it.next()
    if (r.done) break
    out.push(r.value)
  }
  return out
}

function* each<T>(groups: Iterable<Unflushed>, items: (g: Unflushed) => Iterable<T>): Generator<T> {
  for (const g of groups) yield* items(g)
}

/** What arrived since the last generation, its counts in columns over the group's pattern ids. */
interface OwnPending extends Pending {
  patterns: PendingColumns
}

export class StatsAggregator {
  private unflushed = new Map<string, Unflushed>()
  /**
   * Per service/environment: the patterns it tracks (loaded from the store once), numbered. Counts in
   * memory are kept by these numbers.
   */
  private readonly tracked = new Map<string, PatternIndex>()
  private readonly loading = new Map<string, Promise<void>>()
  private readonly pending = new Map<string, OwnPending>()
  /** Shared store: per group, each pattern's metadata as last written. */
  private readonly metaWritten = new Map<string, WrittenMeta>()
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
      const index = new PatternIndex()
      p = eachPage(this.store, service, environment, (page) => {
        for (const r of page) index.intern(patternKey(r.signature, r.level))
      }).then(
        () => {
          this.tracked.set(gk, index)
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

  /** The group's tracked patterns, with its unflushed rows and pending counts moved onto them. */
  private indexOf(gk: string): PatternIndex {
    let index = this.tracked.get(gk)
    if (!index) {
      index = new PatternIndex()
      this.tracked.set(gk, index)
    }
    const group = this.unflushed.get(gk)
    if (group && group.index !== index) group.useIndex(index)
    const pend = this.pending.get(gk)
    if (pend && pend.patterns.index !== index) pend.patterns = columnsOf(pend, index)
    return index
  }

  /** Add one validated batch (after `prepare`). Synchronous: nothing is half-added. */
  add(batch: StatsBatch): void {
    const { service, environment } = batch
    const start = Date.parse(batch.window.start)
    const end = Math.max(start, Date.parse(batch.window.end))
    // Counts are attributed to the minute the window ends in (the last millisecond of it).
    const minute = Math.floor(Math.max(start, end - 1) / MINUTE) * MINUTE
    const gk = groupKey(service, environment)
    const index = this.indexOf(gk)
    let pend = this.pending.get(gk)
    if (!pend) {
      const since = this.taken.get(gk)
      pend = { patterns: new PendingColumns(index), instances: new Map(), batches: 0, since }
      this.pending.set(gk, pend)
    }
    pend.batches++
    const inst = batch.instance ?? ''
    let seen = 0
    for (const p of batch.patterns) seen += p.seen
    addSpan(pend.instances, inst, start, end, seen)
    let group = this.unflushed.get(gk)
    if (!group) {
      group = new Unflushed(service, environment, index)
      this.unflushed.set(gk, group)
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
    const rows = group.minute(minute)
    const counts = pend.patterns

    for (const p of batch.patterns) {
      let firstSeen = start
      if (p.firstSeen !== undefined) {
        if (p.firstSeen !== this.lastFirstSeen) {
          this.lastFirstSeen = p.firstSeen
          this.lastFirstSeenMs = Date.parse(p.firstSeen)
        }
        firstSeen = Math.min(this.lastFirstSeenMs, start)
      }
      const key = patternKey(p.signature, p.level)
      let id = index.id(key)
      if (id === undefined) {
        if (index.size >= this.maxPatterns) {
          // Past the cap: counted, the way an SDK's overflow row counts the patterns it cannot hold.
          const o = overflowRow()
          o.seen = addCount(o.seen, p.seen)
          o.kept = addCount(o.kept, p.kept)
          o.bytes = addBytes(o.bytes, p.bytes)
          o.keptBytes = addBytes(o.keptBytes, p.keptBytes ?? 0)
          overflowSeen += p.seen
          continue
        }
        id = index.intern(key)
      }
      group.see(id, p.template, p.example, firstSeen, end)
      // An SDK from before plain bytes were counted: its lines carry no fields of ours to leave out.
      const plainBytes = p.plainBytes ?? p.bytes
      const at = rows.row(id) * MINUTE_ROW.width
      const v = rows.values
      v[at + MINUTE_ROW.seen] = addCount(v[at + MINUTE_ROW.seen]!, p.seen)
      v[at + MINUTE_ROW.kept] = addCount(v[at + MINUTE_ROW.kept]!, p.kept)
      v[at + MINUTE_ROW.bytes] = addBytes(v[at + MINUTE_ROW.bytes]!, p.bytes)
      v[at + MINUTE_ROW.keptBytes] = addBytes(v[at + MINUTE_ROW.keptBytes]!, p.keptBytes ?? 0)
      v[at + MINUTE_ROW.plainBytes] = addBytes(v[at + MINUTE_ROW.plainBytes]!, plainBytes)
      const backfilled = p.backfilled ? Math.min(p.backfilled, p.seen - p.kept) : 0
      counts.add(id, p.seen, p.kept, p.bytes, plainBytes, backfilled)
    }
    if (overflowSeen > 0) this.onOverflow(service, environment, overflowSeen)
  }

  /** The metadata rows worth writing to a shared store now, and a callback once they are written. */
  private metaToWrite(groups: Iterable<Unflushed>): { metas: PatternMeta[]; done(): void } {
    const metas: PatternMeta[] = []
    const written: Array<{ to: WrittenMeta; id: number; meta: PatternMeta }> = []
    for (const g of groups) {
      const gk = groupKey(g.service, g.environment)
      let to = this.metaWritten.get(gk)
      if (!to || to.index !== g.index) {
        to = new WrittenMeta(g.index)
        this.metaWritten.set(gk, to)
      }
      for (let row = 0; row < g.patterns; row++) {
        const id = g.idAt(row)
        if (!to.due(id, g, row)) continue
        const meta = g.metaAt(row)
        metas.push(meta)
        written.push({ to, id, meta })
      }
    }
    return {
      metas,
      done: () => {
        for (const w of written) w.to.written(w.id, w.meta)
      },
    }
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
      const groups = [...this.unflushed.values()]
      this.unflushed = new Map()
      const overflow: OverflowStats[] = []
      for (const g of groups) for (const o of g.overflow.values()) overflow.push(o)
      if (this.durable) {
        // A shared store is written over the network (the event loop is free meanwhile), in one
        // transaction with what is pending for generation.
        const pending: PendingGroup[] = []
        for (const [gk, p] of this.pending) {
          const [service, environment] = splitGroupKey(gk)
          pending.push({ service, environment, pending: p })
        }
        this.pending.clear()
        const rows: MinuteStats[] = [...each(groups, (g) => g.rows())]
        const fresh = this.metaToWrite(groups)
        await this.store.writeStats(rows, fresh.metas, pending, overflow)
        fresh.done()
        return
      }
      // Row objects are made a chunk at a time: the ones written are garbage before the next chunk.
      const rows = each(groups, (g) => g.rows())
      const metas = each(groups, (g) => g.metas())
      for (let first = true; ; first = false) {
        const chunk = [take(rows, FLUSH_CHUNK), take(metas, FLUSH_CHUNK)] as const
        if (!first) {
          if (chunk[0].length === 0 && chunk[1].length === 0) break
          await new Promise((r) => setImmediate(r))
        }
        await this.store.writeStats(...chunk, undefined, first ? overflow : [])
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
    const index = this.indexOf(gk)
    const since = this.pending.get(gk)
    const merged = since ? mergePending(since, taken, index) : taken
    this.pending.set(gk, { ...merged, patterns: columnsOf(merged, index) })
    if (taken.since === undefined) this.taken.delete(gk)
    else this.taken.set(gk, taken.since)
  }
}
