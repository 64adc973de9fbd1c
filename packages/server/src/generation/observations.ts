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

/** What arrived since the last generation, as observe() needs it (a worker rebuilds it from pages). */
export interface PendingCounts {
  /** By patternKey(signature, level). */
  patterns: ReadonlyMap<string, Pick<PendingPattern, 'seen' | 'kept' | 'bytes' | 'plainBytes'>>
  /** Seconds the counts cover (pendingSeconds). */
  seconds: number
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
  options: Pick<ResolvedOptions, 'retentionDays' | 'anomalyZ' | 'emaAlpha'>,
  service: string,
  environment: string,
  pending: PendingCounts | undefined,
  now: number,
  onPage: (observations: PatternObservation[]) => void,
): Promise<Observed> {
  const seconds = pending?.seconds ?? 1
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
      if (pending) {
        const pp = pending.patterns.get(patternKey(r.signature, r.level))
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
        ema = emaUpdate(ema, x, options.emaAlpha)
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
      if (anomaly) o.anomaly = anomaly
      observations.push(o)
    }
    count += observations.length
    if (observations.length > 0) onPage(observations)
  })
  return { observations: count, states, knownSince: Number.isFinite(knownSince) ? knownSince : undefined }
}
