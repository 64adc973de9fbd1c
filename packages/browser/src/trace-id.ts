// The trace id of a tab session (or page): the sampling threshold of every line, so a user's whole story
// is kept or dropped together, and the trace id that `traceFetch` (./trace.ts) propagates.
import { isValidTraceId, randomTraceId } from '@logsieve/core'

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
