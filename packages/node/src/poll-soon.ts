// A new instance's first stats make the server generate the service's first policy: fetch it a few
// times right after, instead of waiting a whole refresh period (30 s) for the next poll.

/** Delays between the early polls, from the first accepted stats: 0.5, 1.5, 3.5, 7.5 and 11.5 s. */
const DELAYS_MS = [500, 1000, 2000, 4000, 4000]

/**
 * Call `refresh` after each delay until `done()` says the awaited policy arrived; returns a cancel
 * function. Timers are unref'd; `refresh` never rejects (the policy client reports its own errors).
 */
export function pollSoon(
  refresh: () => Promise<unknown>,
  done: () => boolean,
  delaysMs: readonly number[] = DELAYS_MS,
): () => void {
  let timer: NodeJS.Timeout | undefined
  let cancelled = false
  const step = (i: number): void => {
    if (cancelled || i >= delaysMs.length || done()) return
    timer = setTimeout(() => {
      void refresh().then(() => step(i + 1))
    }, delaysMs[i])
    timer.unref()
  }
  step(0)
  return () => {
    cancelled = true
    clearTimeout(timer)
  }
}
