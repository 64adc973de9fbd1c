// Trace correlation: one trace id per tab session (or page), used as the sampling threshold so a user's
// whole story is kept or dropped together, and sent as `traceparent` on fetch calls to allowed origins
// so browser and backend lines of one request share a trace id.
import { formatTraceparent, randomSpanId, randomTraceId } from '@logsieve/core'

const SESSION_KEY = 'logsieve:trace'
const ID = /^[0-9a-f]{32}$/

/** The tab session's trace id (sessionStorage), or a new one when storage is unavailable. */
export function sessionTraceId(scope: 'session' | 'page', fresh = false): string {
  try {
    if (scope === 'session') {
      const stored = sessionStorage.getItem(SESSION_KEY)
      if (!fresh && stored && ID.test(stored)) return stored
      const id = randomTraceId()
      sessionStorage.setItem(SESSION_KEY, id)
      return id
    }
  } catch {
    // Storage disabled: a per-page id still keeps each page's story together.
  }
  return randomTraceId()
}

/** True when `url` (resolved against the page) goes to one of the allowed origins. */
export function isAllowedOrigin(url: string, allowed: ReadonlyArray<string | RegExp>): boolean {
  let origin: string
  try {
    origin = new URL(url, globalThis.location?.href).origin
  } catch {
    return false
  }
  for (const rule of allowed) {
    if (typeof rule === 'string' ? rule === origin : rule.test(origin)) return true
  }
  return false
}

function requestUrl(input: RequestInfo | URL): string {
  return typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
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
      if (isAllowedOrigin(requestUrl(input), allowed)) {
        const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined))
        if (!headers.has('traceparent')) {
          headers.set(
            'traceparent',
            formatTraceparent({ traceId: traceId(), spanId: randomSpanId(), sampled: true }),
          )
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
