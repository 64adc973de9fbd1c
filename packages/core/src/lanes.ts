// Lanes: a decision repeated without deciding again. Once the full decision has kept a line of a pattern
// kept whole (rate 1, no cap, no expiring rule, its size settled) or dropped a line of a muted one (rate
// 0), every later line of that pattern and level gets the same answer until something the answer depends
// on changes: a new policy, a measured size, a stats window. A caller that recognizes the same call again
// (a level method, by its message) hands the lane back to `Sampler.again` instead of running `decide`,
// which on a real destination costs a kept line 2–4 times its cost in a tight loop (docs/benchmarks.md).
// A lane counts its lines itself and adds them to its stats row in one step, before anything reads or
// evicts the row; the kept lines it answers take their turn in the choice of lines to measure.
import type { PatternLevel } from './patterns.js'
import type { Decision, Lane, StatsCounter } from './types.js'

/**
 * Kept lines to measure (Decision.measure): the first MEASURE_FIRST of a sampler, the first
 * MEASURE_SETTLE of each pattern and level (its running mean, weight 1/8, has settled by then), then
 * about one in MEASURE_EVERY: measuring costs the logger a pass over the serialized line, so most kept
 * lines are counted at their pattern's mean (docs/benchmarks.md has the cost).
 */
const MEASURE_FIRST = 256
export const MEASURE_SETTLE = 8
const MEASURE_EVERY = 256
/** Lanes open at once: past it, every open lane is folded and closed (bounds what one window holds). */
const MAX_OPEN = 64

/** A lane's state (the public type is opaque). */
interface OpenLane extends Lane {
  /** The answer it repeats: its own object, never the sampler's reused one. */
  decision: Decision
  pl: PatternLevel
  /** The epoch it was opened in: it answers only while the sampler's epoch is the same. */
  epoch: number
  /** Lines answered since they were last added to the row. */
  lines: number
  bytes: number
  plain: number
}

/** What the full decision tells the sampler's measuring and its lanes. */
export interface Lanes {
  /**
   * Complete the decision just made on `pl` (counted at `bytes`, and at `last.plain` plain bytes): the
   * line `measured()` will read, whether a kept line is to be measured (Decision.measure) and its lane, if
   * the same call would get the same answer next time.
   */
  decided(pl: PatternLevel, d: Decision, bytes: number): void
  /** The lane's decision for one more line, or undefined: decide it in full. */
  again(lane: Lane): Decision | undefined
  /** Add every open lane's lines to its row and close them all (a new policy, a measured size). */
  close(): void
}

/** Where `again` writes what `decide` would leave for `measured()`: the last kept line. */
export interface LastLine {
  pl: PatternLevel | undefined
  bytes: number
  plain?: number
}

/**
 * Lanes over `stats`, which holds their counts until they are added (its `onSettle` calls close before it
 * reads or evicts a row). Without `countMany` and `onSettle`, no lane is offered: every line is decided.
 */
export function createLanes(stats: StatsCounter, last: LastLine): Lanes {
  let first = 0
  // The kept lines until the next one measured, a random gap (mean MEASURE_EVERY): a fixed count could
  // fall into step with a loop's period. An LCG kept within small integers (no heap number per step).
  let draw = 0x1e3779b9
  const gap = () => {
    draw = (Math.imul(draw, 1103515245) + 12345) & 0x3fffffff
    return 1 + ((draw >> 12) & (2 * MEASURE_EVERY - 1))
  }
  let countdown = gap()
  let epoch = 0
  let open: OpenLane[] = []
  const enabled = stats.countMany !== undefined && stats.onSettle !== undefined

  function fold(lane: OpenLane): void {
    const lines = lane.lines
    if (lines === 0) return
    lane.lines = 0
    const d = lane.decision
    const many = stats.countMany as NonNullable<StatsCounter['countMany']>
    let h = lane.pl.row
    if (h === undefined || !many(h, lines, d.keep, lane.bytes, lane.plain)) {
      h = stats.handle(d.signature, d.level, d.template)
      lane.pl.row = h
      many(h, lines, d.keep, lane.bytes, lane.plain)
    }
  }

  function close(): void {
    // Every lane of this epoch is open: with none, there is nothing to close (winston measures, and so
    // closes, on every kept line).
    if (open.length === 0) return
    // Emptied and bumped first: a fold that admits a row may make the table settle again.
    const folding = open
    open = []
    epoch++
    for (const lane of folding) fold(lane)
  }

  if (enabled) stats.onSettle?.(close)

  /** The lane for the decision just made on `pl`, or undefined (see Lanes.decided). */
  function offer(pl: PatternLevel, d: Decision, bytes: number): Lane | undefined {
    const keep = d.keep
    // Only answers that do not depend on a draw, a clock or a count: kept whole, or muted (the pattern's
    // own rate: a floor line is kept at rate 1 from a sampled pattern).
    const rate = pl.rate
    if (!enabled || (keep ? rate < 1 || d.measure || d.sampleRate !== 1 : rate !== 0)) return undefined
    const held = pl.lane as OpenLane | undefined
    if (held !== undefined && held.epoch === epoch) return held
    if (pl.maxPerSecond > 0 || (pl.rule !== undefined && pl.rule.expiresAt !== Number.POSITIVE_INFINITY))
      return undefined
    // A kept pattern's lane answers at its settled size and after the sampler's first measured lines.
    if (keep && (first < MEASURE_FIRST || pl.measures < MEASURE_SETTLE)) return undefined
    return openLane(pl, d, bytes, last.plain ?? bytes, held)
  }

  /**
   * Open `pl`'s lane (again, when `held`) in this epoch. Once an epoch at most, a call of its own: inlined
   * into the decision, its object shapes kept V8 from optimizing the decision (docs/benchmarks.md).
   */
  function openLane(
    pl: PatternLevel,
    d: Decision,
    bytes: number,
    plain: number,
    held: OpenLane | undefined,
  ): Lane {
    if (open.length >= MAX_OPEN) close()
    const lane: OpenLane = held ?? { decision: { ...d }, pl, epoch, lines: 0, bytes, plain }
    if (held !== undefined) {
      Object.assign(lane.decision, d)
      lane.epoch = epoch
      lane.bytes = bytes
      lane.plain = plain
    }
    lane.decision.lane = lane
    pl.lane = lane
    open.push(lane)
    return lane
  }

  function measure(pl: PatternLevel): boolean {
    if (first < MEASURE_FIRST) {
      first++
      return true
    }
    if (pl.measures < MEASURE_SETTLE) return true
    if (--countdown > 0) return false
    countdown = gap()
    return true
  }

  return {
    decided(pl, d, bytes) {
      // What measured() reads: one store on the drop path.
      if (d.keep) last.bytes = bytes
      last.pl = d.keep ? pl : undefined
      d.measure = d.keep && measure(pl)
      d.lane = offer(pl, d, bytes)
    },
    again(l) {
      const lane = l as OpenLane
      if (lane.epoch !== epoch) return undefined
      const d = lane.decision
      if (d.keep) {
        // The line the countdown picks is decided in full, which measures it.
        if (countdown <= 1) return undefined
        countdown--
        last.pl = lane.pl
        last.bytes = lane.bytes
      } else last.pl = undefined
      last.plain = lane.plain
      lane.lines++
      return d
    },
    close,
  }
}
