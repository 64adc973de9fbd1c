// Per-pattern state of a sampler, found with one map lookup per line: the signature, the pattern's rules
// under the current policy, and its per-minute floor counts. Without it a line paid a signature-cache
// lookup, a rules lookup and a floor lookup, each hashing and comparing strings.

import { GenerationCache, ownKey } from './signature.js'
import type { PatternMemo, SignatureResult, StatsHandle } from './types.js'

export interface Pattern<R> extends PatternMemo {
  sig: SignatureResult
  /** Policy generation `rules` was looked up for (-1: never). */
  gen: number
  rules: R | undefined
  /** Minute (ms / 60,000) that `floor` counts; NaN before the first floor line. */
  minute: number
  /** Lines counted against the floor in `minute`, per level index. */
  floor: number[]
  /** The pattern's stats rows, per level index (see StatsTable.handle). */
  rows: Array<StatsHandle | undefined>
  /** Mean measured size of its lines per level index (0: none measured yet). */
  size: number[]
  /**
   * Mean measured bytes Logsieve's own fields add to its lines (written size − plain size), per level
   * index: an unmeasured line's plain size is its written size less this. Created by the first measure.
   */
  added?: number[]
  /** Lines sampled or capped away since the last kept one, per level index: the next kept line's weight. */
  carry: number[]
}

export function newPattern<R>(sig: SignatureResult): Pattern<R> {
  return {
    sig,
    gen: -1,
    rules: undefined,
    minute: Number.NaN,
    floor: [0, 0, 0, 0, 0, 0],
    rows: [undefined, undefined, undefined, undefined, undefined, undefined],
    size: [0, 0, 0, 0, 0, 0],
    carry: [0, 0, 0, 0, 0, 0],
    memo: undefined,
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
