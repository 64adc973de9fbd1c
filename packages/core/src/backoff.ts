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
export function backoff(failures: number, baseMs: number, maxMs: number, random = Math.random): number {
  return Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(failures, 1) - 1, 30)) * (0.5 + random() / 2)
}
