// Fleet-wide observations for the generator: the rate since the last generation folded into each stored
// pattern's EMA (with its anomaly z-score), and the new rate states to store once the policy is published.
// Patterns are read a page at a time and each page's observations handed on at once (to the worker).
import {
  type EmaState,
  emaUpdate,
  isAnomaly,
  type PatternObservation,
  patternKey,
  samplingFieldBytes,
  zScore,
} from '@logsieve/core'
import type { ResolvedOptions } from '../config.js'
import type { PendingPattern } from '../stats-aggregator.js'
import { eachPage } from '../store/pages.js'
import type { PatternState, Store } from '../store/types.js'

const DAY = 86_400_000
/**
 * Dropped lines of the service's mean backfill share that a pattern's own share is blended with: a
 * pattern with few drops (or none, at rate 1) takes the service's share, one with many its own.
 */
const BACKFILL_PRIOR_LINES = 200

type Counts = Pick<PendingPattern, 'seen' | 'kept' | 'bytes' | 'plainBytes' | 'backfilled'>

/** What arrived since the last generation, as observe() needs it (a worker rebuilds it from pages). */
export interface PendingCounts {
  /** By patternKey(signature, level). */
  patterns: ReadonlyMap<string, Counts>
  /** Seconds the counts cover (pendingSeconds). */
  seconds: number
}

/** Share of the dropped lines (seen − kept) that backfill wrote after all, per pattern. */
function backfillShares(pending: PendingCounts | undefined): (pp: Counts | undefined) => number {
  let dropped = 0
  let backfilled = 0
  for (const pp of pending?.patterns.values() ?? []) {
    dropped += Math.max(0, pp.seen - pp.kept)
    backfilled += pp.backfilled ?? 0
  }
  const service = dropped > 0 ? Math.min(1, backfilled / dropped) : 0
  return (pp) => {
    const own = pp ? Math.max(0, pp.seen - pp.kept) : 0
    const b = pp?.backfilled ?? 0
    return Math.min(1, (b + service * BACKFILL_PRIOR_LINES) / (own + BACKFILL_PRIOR_LINES))
  }
}

/**
 * The weight of a window of `seconds` in a pattern's rate EMA, given `age` seconds of the pattern's
 * history before it: `emaAlpha` for a window of one generation interval on a long history; less for a
 * shorter window, more early in a pattern's life. So the EMA is a time-weighted mean that forgets at
 * `emaAlpha` per interval: a service's first 2 s (its start-up, half idle) weigh as 2 s, not as a whole
 * interval against the error patterns that appear later at their full rate.
 */
export function windowWeight(alpha: number, intervalSeconds: number, age: number, seconds: number): number {
  const keep = 1 - Math.min(1, Math.max(0, alpha))
  if (keep === 0) return 1
  const tau = intervalSeconds / -Math.log(keep)
  const fresh = 1 - Math.exp(-seconds / tau)
  const total = 1 - Math.exp(-(Math.max(0, age) + seconds) / tau)
  return total > 0 ? Math.min(1, fresh / total) : 1
}

export interface Observed {
  /** How many observations were handed on. */
  observations: number
  /** New EMA states, written only when the generation is not a dry run. */
  states: PatternState[]
  /** The first time any of the service's patterns was seen, ms. */
  knownSince: number | undefined
}

export async function observe(
  store: Store,
  options: Pick<ResolvedOptions, 'retentionDays' | 'anomalyZ' | 'emaAlpha' | 'generationIntervalMs'>,
  service: string,
  environment: string,
  pending: PendingCounts | undefined,
  now: number,
  onPage: (observations: PatternObservation[]) => void,
): Promise<Observed> {
  const seconds = pending?.seconds ?? 1
  // Without periodic generation (generated on request), each generation's window weighs emaAlpha.
  const intervalSeconds = options.generationIntervalMs > 0 ? options.generationIntervalMs / 1000 : seconds
  const windowStart = now - seconds * 1000
  const backfillShareOf = backfillShares(pending)
  let count = 0
  const states: PatternState[] = []
  const oldest = now - options.retentionDays * DAY
  let knownSince = Number.POSITIVE_INFINITY
  await eachPage(store, service, environment, (page) => {
    const observations: PatternObservation[] = []
    for (const r of page) {
      knownSince = Math.min(knownSince, r.firstSeen)
      let ema: EmaState | undefined = r.samples
        ? { mean: r.emaRate ?? 0, variance: r.emaVar ?? 0, count: r.samples }
        : undefined
      let bytesPerEvent = r.bytesPerEvent ?? 0
      let plainBytesPerEvent = r.plainBytesPerEvent ?? bytesPerEvent
      let anomaly: PatternObservation['anomaly']
      const pp = pending?.patterns.get(patternKey(r.signature, r.level))
      if (pending) {
        const x = (pp?.seen ?? 0) / seconds
        if (pp && pp.seen > 0) {
          // The size of a line of the pattern kept whole: a sampled pattern's lines carried the sampling
          // fields (kept/seen stands in for its rate); the generator adds them back for the rate it picks.
          bytesPerEvent = Math.max(0, pp.bytes / pp.seen - samplingFieldBytes(pp.kept / pp.seen))
          plainBytesPerEvent = pp.plainBytes / pp.seen
        }
        if (ema && isAnomaly(ema, x, { threshold: options.anomalyZ })) {
          anomaly = { zScore: zScore(ema, x), baseline: ema.mean }
        }
        const age = (windowStart - r.firstSeen) / 1000
        ema = emaUpdate(ema, x, windowWeight(options.emaAlpha, intervalSeconds, age, seconds))
        states.push({
          signature: r.signature,
          level: r.level,
          emaRate: ema.mean,
          emaVar: ema.variance,
          bytesPerEvent,
          plainBytesPerEvent,
          samples: ema.count,
          updatedAt: now,
        })
      }
      if (!ema || !(ema.mean > 0) || r.lastSeen < oldest) continue
      const o: PatternObservation = {
        signature: r.signature,
        level: r.level,
        template: r.template,
        eventsPerSecond: ema.mean,
        bytesPerEvent,
        plainBytesPerEvent,
        firstSeen: r.firstSeen,
      }
      const backfillShare = backfillShareOf(pp)
      if (backfillShare > 0) o.backfillShare = backfillShare
      if (anomaly) o.anomaly = anomaly
      observations.push(o)
    }
    count += observations.length
    if (observations.length > 0) onPage(observations)
  })
  return { observations: count, states, knownSince: Number.isFinite(knownSince) ? knownSince : undefined }
}
