// One POST from the page: fetch with keepalive while the page lives, sendBeacon when it is going away.

/** Requests that outlive the page (beacon, keepalive) are capped at 64 KiB by browsers, all in flight. */
export const KEEPALIVE_MAX_BYTES = 60_000

export interface PostOptions {
  url: string
  /** URL for the beacon, which cannot carry headers (e.g. with the API key in the query). @default url */
  beaconUrl?: string
  headers?: Record<string, string>
  /** Allow sendBeacon when `hiding`. */
  beacon: boolean
  fetch: typeof fetch
}

/**
 * POST `body` (JSON text). Resolves to true when the request was accepted (2xx, or queued by the
 * beacon); never rejects.
 */
export function post(options: PostOptions, body: string, hiding: boolean): Promise<boolean> {
  const small = body.length <= KEEPALIVE_MAX_BYTES
  if (hiding && options.beacon && small) {
    try {
      // A string body makes a text/plain simple request: no preflight, so it still goes out as the
      // page is torn down (a preflight cannot complete once the document is gone).
      if (navigator.sendBeacon(options.beaconUrl ?? options.url, body)) return Promise.resolve(true)
    } catch {
      // No beacon (or it refused): fall through to fetch.
    }
  }
  try {
    return options
      .fetch(options.url, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', ...options.headers },
        keepalive: small,
        credentials: 'omit',
      })
      .then(
        (res) => res.ok,
        () => false,
      )
  } catch {
    return Promise.resolve(false)
  }
}
