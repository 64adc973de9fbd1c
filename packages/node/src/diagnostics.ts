// How the sieve tells someone that something went wrong: a Diagnostic with the real cause (ECONNREFUSED,
// ENOTFOUND, the status and the server's error code, not just "fetch failed"), handed to `onDiagnostic`,
// or by default written to stderr once per kind so a wrong URL or key never fails silently.
import type { Diagnostic, SieveOptions } from './types.js'

/** The message of `error` followed by its causes' (`fetch failed: connect ECONNREFUSED 127.0.0.1:9`). */
export function describeError(error: unknown): string {
  let out = error instanceof Error ? error.message : String(error)
  let cause = error instanceof Error ? error.cause : undefined
  for (let depth = 0; cause !== undefined && depth < 4; depth++) {
    const text = causeText(cause)
    if (text !== '' && !out.includes(text)) out += `: ${text}`
    cause = cause instanceof Error ? cause.cause : undefined
  }
  return out
}

function causeText(cause: unknown): string {
  if (!(cause instanceof Error)) return cause === undefined || cause === null ? '' : String(cause)
  // Happy-eyeballs connects fail with an AggregateError whose message is empty: its parts say why.
  const parts = (cause as { errors?: unknown[] }).errors
  if (cause.message === '' && Array.isArray(parts) && parts[0] instanceof Error) return parts[0].message
  const code = (cause as { code?: unknown }).code
  if (cause.message === '' && typeof code === 'string') return code
  return cause.message
}

/** What distinguishes two problems of one code: an HTTP status or a system error code. */
function kindOf(code: string, error: unknown): string {
  let e: unknown = error
  for (let depth = 0; e instanceof Error && depth < 5; depth++) {
    const status = (e as { status?: unknown }).status
    if (typeof status === 'number') return `${code}:${status}`
    const sys = (e as { code?: unknown }).code
    if (typeof sys === 'string' && !sys.startsWith('LOGSIEVE_')) return `${code}:${sys}`
    e = e.cause
  }
  const status = /answered (\d{3})/.exec(e instanceof Error ? e.message : '')?.[1]
  return status ? `${code}:${status}` : code
}

/**
 * The sieve's `report(code, error)`: to `onDiagnostic` when given (every report), nothing when it is
 * `false`, else stderr once per kind (code plus status or system error code).
 */
export function createReporter(
  onDiagnostic: SieveOptions['onDiagnostic'],
  write: (text: string) => void = (text) => process.stderr.write(text),
): (code: string, error: unknown) => void {
  if (onDiagnostic === false) return () => {}
  const shown = new Set<string>()
  return function report(code: string, error: unknown): void {
    try {
      const diagnostic: Diagnostic = { code, message: describeError(error), error }
      if (onDiagnostic) {
        onDiagnostic(diagnostic)
        return
      }
      const kind = kindOf(code, error)
      // Bounded: a flood of distinct kinds cannot grow the set (nor stderr) without limit.
      if (shown.has(kind) || shown.size >= 64) return
      shown.add(kind)
      // Messages of our own errors start with their code already (`LOGSIEVE_STATS_NETWORK: …`).
      const text = diagnostic.message.startsWith('LOGSIEVE_')
        ? diagnostic.message
        : `${code}: ${diagnostic.message}`
      write(`[logsieve] ${text} (shown once; set onDiagnostic to see every report, or false to silence)\n`)
    } catch {
      // A diagnostic callback (or stderr) that throws must not turn into an app error either.
    }
  }
}
