// One POST from the page: fetch with keepalive while the page lives, sendBeacon when it is going away.

/** Requests that outlive the page (beacon, keepalive) are capped at 64 KiB by browsers, all in flight. */
export const KEEPALIVE_MAX_BYTES = 60_000

export interface PostTarget {
  url: string
  /** URL for the beacon, which cannot carry headers (e.g. with the API key in the query). @default url */
  beaconUrl?: string
  headers?: Record<string, string> | undefined
  /** Allow sendBeacon when `hiding`. */
  beacon: boolean
  /** Missing where the page has no fetch: the POST then fails quietly. */
  fetch: typeof fetch | undefined
}

/**
 * POST `body` (JSON text). Resolves to true when the request was accepted (2xx, or queued by the
 * beacon); never rejects.
 */
export async function post(target: PostTarget, body: string, hiding: boolean): Promise<boolean> {
  const small = body.length <= KEEPALIVE_MAX_BYTES
  try {
    // A string body makes a text/plain simple request: no preflight, so it still goes out as the page
    // is torn down (a preflight cannot complete once the document is gone). A refused beacon falls
    // through to fetch.
    if (hiding && target.beacon && small && navigator.sendBeacon(target.beaconUrl ?? target.url, body))
      return true
  } catch {
    // No beacon: fetch instead.
  }
  try {
    const res = await target.fetch!(target.url, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', ...target.headers },
      keepalive: small,
      credentials: 'omit',
    })
    return res.ok
  } catch {
    return false
  }
}
