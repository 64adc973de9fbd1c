// One POST from the page: fetch with keepalive while the page lives, sendBeacon when it is going away.

/** Requests that outlive the page (beacon, keepalive) are capped at 64 KiB by browsers, all in flight. */
export const KEEPALIVE_MAX_BYTES = 60_000

/** Sends one JSON body; resolves to true when it was accepted (2xx, or queued by the beacon), never rejects. */
export type Send = (body: string, hiding: boolean) => Promise<boolean>

/**
 * A sender to `url`. When `hiding` and `beacon` allow it, the body goes with sendBeacon to `beaconUrl`
 * (a beacon cannot carry headers, e.g. an API key goes in its query); otherwise with `fetchFn`, which
 * may be missing where the page has no fetch (every send then fails quietly).
 */
export function createSender(
  fetchFn: typeof fetch | undefined,
  url: string,
  headers: Record<string, string> | undefined,
  beacon: boolean,
  beaconUrl = url,
): Send {
  return async (body, hiding) => {
    const small = body.length <= KEEPALIVE_MAX_BYTES
    try {
      // A string body makes a text/plain simple request: no preflight, so it still goes out as the page
      // is torn down (a preflight cannot complete once the document is gone). A refused beacon falls
      // through to fetch.
      if (hiding && beacon && small && navigator.sendBeacon(beaconUrl, body)) return true
    } catch {
      // No beacon: fetch instead.
    }
    try {
      const res = await fetchFn!(url, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', ...headers },
        keepalive: small,
        credentials: 'omit',
      })
      return res.ok
    } catch {
      return false
    }
  }
}
