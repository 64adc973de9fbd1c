// What a pattern writes under a sampling rate: one model for the generator's budget and projection,
// `GET /v1/patterns`, the dashboard and `logsieve budget check`, so their figures add up alike.

/** Bytes `,"sample_rate":0,"backfilled":true,"logged_at":1765000000000` add to a backfilled line. */
export const BACKFILL_FIELD_BYTES = 58
/** Bytes `,"sample_rate":64` adds: written on a kept line that stands for dropped lines too. */
export const SAMPLE_RATE_FIELD_BYTES = 18

/**
 * Bytes Logsieve's sampling fields add to a kept line of a pattern sampled at `rate`, beyond a line of a
 * pattern kept whole: `sample_rate` on the 1 − rate of them that follow a dropped line; 0 at rate 1.
 * `signature` is off by default; switched on, it is in the measured size of the pattern's sampled lines
 * (see docs/concepts.md), and a pattern's first policy misses it by 31 bytes a line.
 */
export function samplingFieldBytes(rate: number): number {
  return rate < 1 ? (1 - Math.max(0, rate)) * SAMPLE_RATE_FIELD_BYTES : 0
}

/** Lines/s the coverage floor keeps: each instance's first `floorPerMinute` of the pattern per minute. */
export const floorPerSecond = (eventsPerSecond: number, floorPerMinute: number, instances: number): number =>
  Math.min(eventsPerSecond, (Math.max(0, floorPerMinute) * Math.max(1, instances)) / 60)

/** Lines/s a per-instance `maxPerSecond` cap lets through fleet-wide, the floor's lines included. */
export const cappedPerSecond = (
  eventsPerSecond: number,
  maxPerSecond: number,
  instances: number,
  floor: number,
): number => Math.min(eventsPerSecond, maxPerSecond * Math.max(1, instances) + floor)

/** Lines/s kept at `rate`: the floor's, and the rate's share of the rest; none when muted (rate 0). */
export const keptPerSecond = (eventsPerSecond: number, floor: number, rate: number): number =>
  rate > 0 ? floor + Math.min(1, rate) * Math.max(0, eventsPerSecond - floor) : 0

/** Dropped lines/s written after all: the share of them that an error in their request brings back. */
export const backfilledPerSecond = (
  eventsPerSecond: number,
  floor: number,
  backfillShare: number,
  rate: number,
): number =>
  backfillShare > 0
    ? Math.min(1, backfillShare) * (1 - Math.min(1, Math.max(0, rate))) * Math.max(0, eventsPerSecond - floor)
    : 0

/** A pattern's traffic as a policy meets it. */
export interface PatternFlow {
  /** Lines/s the rate applies to (a cap already applied). */
  eventsPerSecond: number
  /** Lines/s the floor keeps whatever the rate (floorPerSecond). */
  floorPerSecond: number
  /** Size of a line of the pattern kept whole, Logsieve's default fields included. */
  bytesPerEvent: number
  /** Share of the dropped lines that backfill writes after all (0–1). */
  backfillShare: number
}

/**
 * Bytes/s a pattern writes at `rate`: its kept lines with `sample_rate` where they stand for dropped ones,
 * and its backfilled lines with their fields.
 */
export function writtenBytesPerSecond(flow: PatternFlow, rate: number): number {
  const { eventsPerSecond: eps, floorPerSecond: floor, bytesPerEvent: size } = flow
  return (
    keptPerSecond(eps, floor, rate) * (size + samplingFieldBytes(rate)) +
    backfilledPerSecond(eps, floor, flow.backfillShare, rate) * (size + BACKFILL_FIELD_BYTES)
  )
}
