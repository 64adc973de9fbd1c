// Per-pattern baselines for anomaly detection: an exponentially weighted moving average of a pattern's
// rate with an exponentially weighted variance, and the z-score of a new observation against it.
// Pure functions on a small state object the server stores per pattern.

/** EMA state of one series. */
export interface EmaState {
  mean: number
  variance: number
  /** Observations folded in so far (a young baseline is not trusted). */
  count: number
}

/** Smoothing factor for a half-life of `samples` observations: weight halves every `samples` steps. */
export function alphaForHalfLife(samples: number): number {
  if (!(samples > 0)) return 1
  return 1 - 2 ** (-1 / samples)
}

/**
 * Fold one observation into the EMA (West's incremental form):
 *   d = x − mean;  mean' = mean + α·d;  var' = (1 − α)·(var + α·d²)
 * The first observation seeds the mean with zero variance. Non-finite input leaves the state unchanged.
 */
export function emaUpdate(state: EmaState | undefined, x: number, alpha: number): EmaState {
  if (!Number.isFinite(x)) return state ?? { mean: 0, variance: 0, count: 0 }
  if (state === undefined || state.count === 0) return { mean: x, variance: 0, count: 1 }
  const a = Math.min(1, Math.max(0, alpha))
  const d = x - state.mean
  return {
    mean: state.mean + a * d,
    variance: (1 - a) * (state.variance + a * d * d),
    count: state.count + 1,
  }
}

export interface ZScoreOptions {
  /**
   * Lowest standard deviation used, as a fraction of the mean: a perfectly steady series (variance 0)
   * would otherwise make any wobble infinite. @default 0.1
   */
  relativeFloor?: number
  /** Lowest standard deviation in absolute units (events/s). @default 0.05 */
  absoluteFloor?: number
}

/** z = (x − mean) / max(σ, relativeFloor·mean, absoluteFloor). 0 for an empty baseline. */
export function zScore(state: EmaState | undefined, x: number, options?: ZScoreOptions): number {
  if (state === undefined || state.count === 0 || !Number.isFinite(x)) return 0
  const sd = Math.max(
    Math.sqrt(Math.max(0, state.variance)),
    (options?.relativeFloor ?? 0.1) * Math.abs(state.mean),
    options?.absoluteFloor ?? 0.05,
  )
  return (x - state.mean) / sd
}

export interface AnomalyOptions extends ZScoreOptions {
  /** z-score above which a jump is an anomaly. @default 4 */
  threshold?: number
  /** Observations needed before the baseline is trusted. @default 10 */
  minCount?: number
  /** Ignore jumps to fewer events/s than this: a pattern going from 0.01/s to 0.1/s is not an incident. @default 1 */
  minRate?: number
}

/**
 * True when `x` (the pattern's current rate) is far above its own baseline. Test *before* folding `x`
 * into the state, so a spike does not raise the baseline it is judged against.
 */
export function isAnomaly(state: EmaState | undefined, x: number, options?: AnomalyOptions): boolean {
  if (state === undefined || state.count < (options?.minCount ?? 10)) return false
  if (!(x >= (options?.minRate ?? 1))) return false
  return zScore(state, x, options) > (options?.threshold ?? 4)
}
