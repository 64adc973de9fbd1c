// A clock for the hot path: Date.now() costs ~50 ns, more than the rest of a dropped line's decision,
// while the sampler only needs the time to the second (token buckets refill lazily from elapsed time,
// rule expiry and the per-minute floor are minute-scale). One timer refreshes a cached value.

export interface CoarseClock {
  /** The cached time in ms since epoch, at most `resolutionMs` behind Date.now(). Pass it as `now`. */
  readonly now: () => number
  /** Stop the timer (the clock keeps returning its last value). Idempotent. */
  stop(): void
}

/**
 * A clock refreshed every `resolutionMs` by an interval timer that never keeps a Node process alive
 * (unref'd). Call `stop()` when the SDK shuts down.
 *
 * @example
 * const clock = createCoarseClock()
 * const sampler = createSampler({ now: clock.now })
 * // … at shutdown:
 * clock.stop()
 */
export function createCoarseClock(resolutionMs = 1000): CoarseClock {
  let t = Date.now()
  let timer: ReturnType<typeof setInterval> | undefined = setInterval(
    () => {
      t = Date.now()
    },
    Math.max(1, resolutionMs),
  )
  ;(timer as { unref?: () => void }).unref?.()
  return {
    now: () => t,
    stop() {
      if (timer !== undefined) clearInterval(timer)
      timer = undefined
    },
  }
}
