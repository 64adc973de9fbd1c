// `@logsieve/browser/trace`, opt-in: `traceparent` on the page's fetch calls to the origins you allow, so
// browser and backend lines of one request share the sieve's trace id. Its own entry point, so a page
// that does not propagate traces does not ship it.
import { randomTraceId } from './trace-id.js'
import type { TracePropagation } from './types.js'

/**
 * Propagate the sieve's trace id to `origins`: pass the result as `propagateTrace` to createBrowserSieve,
 * which patches `fetch` once it has taken its own and restores it on `shutdown()`.
 *
 * @example
 * import { createBrowserSieve } from '@logsieve/browser'
 * import { traceFetch } from '@logsieve/browser/trace'
 * const sieve = createBrowserSieve({ service: 'shop-web', propagateTrace: traceFetch(['https://api.example.com']) })
 */
export const traceFetch =
  (origins: ReadonlyArray<string | RegExp>): TracePropagation =>
  (traceId) =>
    patchFetch(origins, traceId)

/** True when `url` (resolved against the page) goes to one of the allowed origins. */
export function isAllowedOrigin(url: string, allowed: ReadonlyArray<string | RegExp>): boolean {
  try {
    const origin = new URL(url, globalThis.location?.href).origin
    return allowed.some((rule) => (typeof rule === 'string' ? rule === origin : rule.test(origin)))
  } catch {
    return false
  }
}

/**
 * Wrap `globalThis.fetch` so calls to allowed origins carry `traceparent` (a new span id per request).
 * Returns a function that restores the previous fetch. A `traceparent` the caller set is left alone.
 */
export function patchFetch(allowed: ReadonlyArray<string | RegExp>, traceId: () => string): () => void {
  const original = globalThis.fetch
  if (typeof original !== 'function' || allowed.length === 0) return () => {}
  const patched: typeof fetch = (input, init) => {
    try {
      const request = input instanceof Request ? input : undefined
      if (isAllowedOrigin(request ? request.url : String(input), allowed)) {
        const headers = new Headers(init?.headers ?? request?.headers)
        if (!headers.has('traceparent')) {
          // W3C version 00, sampled: the backend continues this trace. The span id is half of a random
          // trace id, the half that is not all zero (the other one may be, once in 2^64).
          const [, a, b] = /(.{16})(.{16})/.exec(randomTraceId())!
          headers.set('traceparent', `00-${traceId()}-${/[^0]/.test(b!) ? b : a}-01`)
          init = { ...init, headers }
        }
      }
    } catch {
      // Never break the page's request because of tracing.
    }
    return original.call(globalThis, input, init)
  }
  globalThis.fetch = patched
  return () => {
    if (globalThis.fetch === patched) globalThis.fetch = original
  }
}
