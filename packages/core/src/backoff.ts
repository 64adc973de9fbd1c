// The one retry schedule of every client (policy polling and stream, stats, the browser's poller):
// exponential, capped, with jitter so a fleet that failed together does not retry in lockstep.

/**
 * Milliseconds to wait after the `failures`-th consecutive failure (1, 2, …):
 * `min(maxMs, baseMs · 2^(failures − 1))`, scaled by a uniform factor in [0.5, 1) ("equal jitter": never
 * less than half the step, so a failing server is not hammered).
 *
 * @example
 * backoff(1, 1000, 60_000) // 500–1000
 * backoff(4, 1000, 60_000) // 4000–8000
 */
export const backoff = (failures: number, baseMs: number, maxMs: number): number =>
  // 2 ** n is Infinity for a huge n, and min() then gives maxMs: no clamp needed (nor its bytes in a page).
  Math.min(maxMs, baseMs * 2 ** (failures - 1)) * (0.5 + Math.random() / 2)
