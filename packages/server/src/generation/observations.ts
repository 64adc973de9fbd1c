// Fleet-wide observations for the generator: the rate since the last generation folded into each stored
// pattern's EMA (with its anomaly z-score), and the new rate states to store once the policy is published.
import {
  type EmaState,
  emaUpdate,
  isAnomaly,
  type PatternObservation,
  SAMPLE_RATE_FIELD_BYTES,
  zScore,
} from '@logsieve/core'
import type { ResolvedOptions } from '../config.js'
import { type Pending, pendingSeconds } from '../stats-aggregator.js'
import type { PatternState, Store } from '../store/types.js'

const DAY = 86_400_000

export interface Observed {
  observations: PatternObservation[]
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
  pending: Pending | undefined,
  now: number,
): Promise<Observed> {
  const seconds = pending ? pendingSeconds(pending, now) : 1
  const observations: PatternObservation[] = []
  const states: PatternState[] = []
  const oldest = now - options.retentionDays * DAY
  let knownSince = Number.POSITIVE_INFINITY
  for (const r of await store.listPatterns(service, environment)) {
    knownSince = Math.min(knownSince, r.firstSeen)
    let ema: EmaState | undefined = r.samples
      ? { mean: r.emaRate ?? 0, variance: r.emaVar ?? 0, count: r.samples }
      : undefined
    let bytesPerEvent = r.bytesPerEvent ?? 0
    let plainBytesPerEvent = r.plainBytesPerEvent ?? bytesPerEvent
    let anomaly: PatternObservation['anomaly']
    if (pending) {
      const pp = pending.patterns.get(r.signature + r.level)
      const x = (pp?.seen ?? 0) / seconds
      if (pp && pp.seen > 0) {
        // Sizes at weight 1: a sampled pattern's kept lines carried `sample_rate`, about 1 − kept/seen
        // of them; the generator adds the field back for the rate it chooses.
        const withRate = Math.max(0, 1 - pp.kept / pp.seen) * SAMPLE_RATE_FIELD_BYTES
        bytesPerEvent = Math.max(0, pp.bytes / pp.seen - withRate)
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
  return { observations, states, knownSince: Number.isFinite(knownSince) ? knownSince : undefined }
}
