// What a generated policy does to an analyzed file, per day and for the file itself. Both come from one
// place, the generator's own projection, scaled by the window the file covers: a per-day cut and a
// per-file cut that disagree (a "0.0% less" beside "593 KB → 8 KB kept") cannot be printed.
import type { GeneratedPolicy } from '@logsieve/core'

const DAY = 86_400

export interface Volume {
  bytes: number
  lines: number
}

/** Before: the lines as the file has them (plain bytes, no Logsieve fields). After: what the policy writes. */
export interface VolumeChange {
  before: Volume
  /** Kept lines and their written bytes, Logsieve's sampling fields (`sample_rate`…) included. */
  after: Volume
}

/** Set only when what no rate can lower exceeds the budget. */
export interface OverBudget {
  /** Written bytes/day of what the policy cannot drop: the coverage floor, the lowest rate, warnings and errors. */
  floorBytesPerDay: number
  /** The part of it from levels that are never sampled (warn, error, fatal by default). */
  alwaysKeptBytesPerDay: number
  /** floorBytesPerDay − budget. */
  overBytesPerDay: number
  /** The coverage floor asked for: lines per minute every pattern keeps. */
  floorPerMinute: number
  /** For a budget in events/s, the same statement in its own unit (bytes convert at the mean line size). */
  events?: { floorPerSecond: number; budgetPerSecond: number; overPerSecond: number }
}

export interface Outcome {
  perDay: VolumeChange
  /** The same figures for the span of the file: perDay × window / day. */
  file: VolumeChange
  /** The budget in written bytes per day, or null without one. */
  budgetBytesPerDay: number | null
  /** The budget as given, when it is in events per second (budgetBytesPerDay converts it). */
  budgetEventsPerSecond?: number
  overBudget: OverBudget | null
}

export interface OutcomeInput {
  generated: GeneratedPolicy
  windowSeconds: number
  /** Lines beyond --max-patterns: not given to the generator, counted as kept whole. */
  overflow: Volume
  /** File bytes of the patterns the policy never samples (rule reason `level`). */
  alwaysKeptBytes: number
  floorPerMinute: number
  /** The budget, when it is in events per second. */
  budgetEventsPerSecond?: number
}

/** The per-day and per-file figures of a generated policy on a file: one computation for both. */
export function outcomeOf(input: OutcomeInput): Outcome {
  const { generated, windowSeconds, overflow, alwaysKeptBytes, floorPerMinute, budgetEventsPerSecond } = input
  // The generator always fills the event counts; the schema leaves them optional for older policies.
  const p = generated.projection
  const perDayOf = DAY / windowSeconds
  const perDay: VolumeChange = {
    before: {
      bytes: p.bytesPerDayBefore + overflow.bytes * perDayOf,
      lines: (p.eventsPerSecondBefore ?? 0) * DAY + overflow.lines * perDayOf,
    },
    after: {
      bytes: p.bytesPerDayAfter + overflow.bytes * perDayOf,
      lines: (p.eventsPerSecondAfter ?? 0) * DAY + overflow.lines * perDayOf,
    },
  }
  const toFile = (v: Volume): Volume => ({ bytes: v.bytes / perDayOf, lines: v.lines / perDayOf })
  const budget = p.budgetBytesPerDay ?? null
  // The generator says over-budget only when its lowest allocation (floors, lowest rates, the levels it
  // never samples) does not fit; that allocation is then the whole of "after".
  const overBudget =
    generated.overBudget && budget !== null
      ? {
          floorBytesPerDay: perDay.after.bytes,
          alwaysKeptBytesPerDay: alwaysKeptBytes * perDayOf,
          overBytesPerDay: perDay.after.bytes - budget,
          floorPerMinute,
          ...(budgetEventsPerSecond !== undefined && {
            events: {
              floorPerSecond: perDay.after.lines / DAY,
              budgetPerSecond: budgetEventsPerSecond,
              overPerSecond: perDay.after.lines / DAY - budgetEventsPerSecond,
            },
          }),
        }
      : null
  return {
    perDay,
    file: { before: toFile(perDay.before), after: toFile(perDay.after) },
    budgetBytesPerDay: budget,
    ...(budgetEventsPerSecond !== undefined && { budgetEventsPerSecond }),
    overBudget,
  }
}
