// Per-pattern state of a sampler, found with one map lookup per line: the signature and, per level, the
// rate the current policy gives it, its floor count, stats row, sizes and carry. Without it a line paid a
// signature-cache lookup, a rules lookup and a floor lookup, each hashing and comparing strings.

import type { RateChoice } from './rate.js'
import { GenerationCache, ownKey } from './signature.js'
import type { Lane, PatternMemo, SignatureResult, StatsHandle } from './types.js'

export interface Pattern extends PatternMemo {
  sig: SignatureResult
  /** The pattern's state per level index (LEVEL_NAMES), made on its first line of that level. */
  levels: Array<PatternLevel | undefined>
}

/**
 * A pattern's state at one level: its rate choice under the current policy, its counts and sizes. One
 * object per level a pattern logs at (most log at one): a line reads one object, not five arrays.
 */
export interface PatternLevel extends RateChoice {
  /** Policy generation the rate choice was made for (-1: none yet): a new policy makes it choose again. */
  gen: number
  /** Minute (ms / 60,000) that `floor` counts; NaN before the first floor line. */
  minute: number
  /** Lines counted against the floor in `minute`. */
  floor: number
  /** The stats row (see StatsTable.handle). */
  row: StatsHandle | undefined
  /** Mean measured size of its lines (0: none measured yet). */
  size: number
  /** Lines measured, counted up to the sampler's settling count (see createSamplerWith). */
  measures: number
  /**
   * Mean measured bytes Logsieve's own fields add to its lines (written size − plain size): an unmeasured
   * line's plain size is its written size less this.
   */
  added: number
  /** Lines sampled or capped away since the last kept one: the next kept line's weight. */
  carry: number
  /** Its lane, once its decision could be repeated (lanes.ts). */
  lane: Lane | undefined
}

export function newPattern(sig: SignatureResult): Pattern {
  return {
    sig,
    levels: [undefined, undefined, undefined, undefined, undefined, undefined],
    memo: undefined,
  }
}

export function newPatternLevel(): PatternLevel {
  return {
    rate: 1,
    maxPerSecond: 0,
    reason: 'always',
    rule: undefined,
    gen: -1,
    minute: Number.NaN,
    floor: 0,
    row: undefined,
    size: 0,
    measures: 0,
    added: 0,
    carry: 0,
    lane: undefined,
  }
}

/**
 * The internalized copy of a string (V8 turns property keys into internalized strings). A map keyed by it
 * matches a format string literal by pointer instead of comparing characters (~10 ns instead of ~50 ns
 * per lookup), and the copy keeps no larger parent string alive.
 */
export function internalize(s: string): string {
  const o: Record<string, 0> = {}
  o[s] = 0
  for (const k in o) return k
  return s
}

/** The signature caches' two-generation map, with its keys internalized (promoted hits included). */
export class PatternCache<V> extends GenerationCache<V> {
  override set(key: string, value: V): void {
    super.set(internalize(key), value)
  }
}

/**
 * The two-generation map for rendered messages: keys are copied (a message may be a slice of a larger
 * string), not internalized, which would cost microseconds for each new message of a flood.
 */
export class MessageCache<V> extends GenerationCache<V> {
  override set(key: string, value: V): void {
    super.set(ownKey(key), value)
  }
}
