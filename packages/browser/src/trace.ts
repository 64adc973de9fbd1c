// Trace correlation: one trace id per tab session (or page), used as the sampling threshold so a user's
// whole story is kept or dropped together, and sent as `traceparent` on fetch calls to allowed origins
// so browser and backend lines of one request share a trace id.
import { isValidTraceId, randomSpanId, randomTraceId } from '@logsieve/core'

const SESSION_KEY = 'logsieve:trace'

/** The tab session's trace id (sessionStorage), or a new one when storage is unavailable. */
export function sessionTraceId(scope: 'session' | 'page', fresh = false): string {
  const id = randomTraceId()
  try {
    if (scope === 'session') {
      const stored = sessionStorage.getItem(SESSION_KEY)
      if (!fresh && isValidTraceId(stored)) return stored
      sessionStorage.setItem(SESSION_KEY, id)
    }
  } catch {
    // Storage disabled: a per-page id still keeps each page's story together.
  }
  return id
}

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
          // W3C version 00, sampled: the backend continues this trace.
          headers.set('traceparent', `00-${traceId()}-${randomSpanId()}-01`)
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
