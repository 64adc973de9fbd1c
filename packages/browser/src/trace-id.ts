// The trace id of a tab session (or page): the sampling threshold of every line, so a user's whole story
// is kept or dropped together, and the trace id that `traceFetch` (./trace.ts) propagates. Written here
// rather than with core's traceparent helpers, which neither the default bundle nor the opt-in trace
// propagation (./trace.ts, for its span ids) then carries.

const SESSION_KEY = 'logsieve:trace'
/** A W3C trace id: 32 lowercase hex characters, not all zero. */
const TRACE_ID = /^(?!0+$)[0-9a-f]{32}$/

/** 16 random bytes (Web Crypto) as hex; all zero, which W3C forbids, is drawn again. */
export const randomTraceId = (): string => {
  const id = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => (b + 256).toString(16).slice(1))
  return id.join('').replace(/^0+$/, randomTraceId)
}

/** The tab session's trace id (sessionStorage), or a new one when storage is unavailable. */
export function sessionTraceId(scope: 'session' | 'page', fresh = false): string {
  const id = randomTraceId()
  try {
    if (scope === 'session') {
      const stored = sessionStorage.getItem(SESSION_KEY)
      if (!fresh && TRACE_ID.test(stored!)) return stored!
      sessionStorage.setItem(SESSION_KEY, id)
    }
  } catch {
    // Storage disabled: a per-page id still keeps each page's story together.
  }
  return id
}
