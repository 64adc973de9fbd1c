// A pattern under a policy: the rate the sampler gives it and what it then keeps and writes, by the
// generator's model (written.ts). `GET /v1/patterns`, the dashboard and `logsieve budget check` use it.

import { type EffectiveRate, effectiveRate, type RatePolicy } from './rate.js'
import type { LevelName } from './severity.js'
import { cappedPerSecond, floorPerSecond, keptPerSecond, writtenBytesPerSecond } from './written.js'

export interface PatternLoad {
  signature: string
  level: LevelName
  /** Fleet-wide lines per second. */
  eventsPerSecond: number
  /** Size of a line of the pattern kept whole, Logsieve's default fields included. */
  bytesPerEvent: number
}

export interface ProjectedPattern extends EffectiveRate {
  /** Lines/s kept: the floor's, and the rate's share of the rest (a cap applied). */
  keptPerSecond: number
  /** Bytes/s written, `sample_rate` included; backfill is left to the policy's projection. */
  writtenBytesPerSecond: number
}

/**
 * What `policy` makes of a pattern on a fleet of `instances`: the sampler's rate, then the floor's lines
 * (each instance's first `floorPerMinute` a minute, under a sampled rate) and a rule's per-instance cap.
 */
export function projectUnderPolicy(
  policy: RatePolicy,
  p: PatternLoad,
  instances: number,
  now: number = Date.now(),
): ProjectedPattern {
  const decided = effectiveRate(policy, p.signature, p.level, now)
  const { rate, maxPerSecond } = decided
  const eps = p.eventsPerSecond
  const floor = rate < 1 ? floorPerSecond(eps, policy.defaults.floorPerMinute, instances) : 0
  const capped = maxPerSecond === undefined ? eps : cappedPerSecond(eps, maxPerSecond, instances, floor)
  const flow = {
    eventsPerSecond: capped,
    floorPerSecond: floor,
    bytesPerEvent: p.bytesPerEvent,
    backfillShare: 0,
  }
  return {
    ...decided,
    keptPerSecond: keptPerSecond(capped, floor, rate),
    writtenBytesPerSecond: writtenBytesPerSecond(flow, rate),
  }
}
