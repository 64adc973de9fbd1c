// Severity normalization: every level name or number a logger may hand us maps onto OpenTelemetry
// severity numbers (TRACE 1–4 … FATAL 21–24) and one of six canonical level names.

export const LEVEL_NAMES = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const
export type LevelName = (typeof LEVEL_NAMES)[number]

/** OpenTelemetry SeverityNumber of the first step of each canonical level. */
export const SEVERITY: Readonly<Record<LevelName, number>> = {
  trace: 1,
  debug: 5,
  info: 9,
  warn: 13,
  error: 17,
  fatal: 21,
}

/** pino's numeric levels → OpenTelemetry severity numbers (same mapping as instrumentation-pino). */
export const PINO_SEVERITY: Readonly<Record<number, number>> = { 10: 1, 20: 5, 30: 9, 40: 13, 50: 17, 60: 21 }

/**
 * Level names used by pino, winston (npm and syslog levels), console and OpenTelemetry. A null-prototype
 * object, so that a level such as `'toString'` or `'__proto__'` finds nothing instead of Object.prototype.
 * Marked pure: a bundle without toSeverityNumber (the browser SDK's) then drops it, as bundlers keep any
 * call made at module level otherwise.
 */
const NAME_SEVERITY: Readonly<Record<string, number>> = /* @__PURE__ */ Object.assign(Object.create(null), {
  trace: 1,
  silly: 1,
  debug: 5,
  verbose: 6,
  http: 10,
  info: 9,
  log: 9,
  notice: 10,
  warn: 13,
  warning: 13,
  error: 17,
  err: 17,
  crit: 21,
  critical: 21,
  alert: 22,
  emerg: 23,
  fatal: 21,
})

/**
 * Normalize any level (a pino number 10–60, or a name such as `'info'`,
 * `'WARN'`, `'silly'`) to an OpenTelemetry severity number. Unknown input maps to INFO (9), never throws.
 */
export function toSeverityNumber(level: unknown): number {
  if (typeof level === 'number') return pinoSeverity(level)
  return (typeof level === 'string' && (NAME_SEVERITY[level] ?? NAME_SEVERITY[level.toLowerCase()])) || 9
}

/**
 * A number on pino's scale (10–60: that is where numeric levels come from in JS logging) as an
 * OpenTelemetry severity number. Custom pino levels sit between the standard ones: round down to the
 * nearest standard level (10 → 1 … 50 → 17). Not finite: INFO (9). Literal numbers rather than
 * PINO_SEVERITY, so that the browser bundle carries no table.
 */
export const pinoSeverity = (level: number): number =>
  Number.isFinite(level) ? (level >= 60 ? 21 : level < 10 ? 1 : Math.floor(level / 10) * 4 - 3) : 9

/** The canonical level name of an OpenTelemetry severity number. */
export function levelName(severityNumber: number): LevelName {
  if (!(severityNumber >= 5)) return 'trace'
  if (severityNumber < 9) return 'debug'
  if (severityNumber < 13) return 'info'
  if (severityNumber < 17) return 'warn'
  if (severityNumber < 21) return 'error'
  return 'fatal'
}

/** Normalize any level to its canonical name. */
export function normalizeLevel(level: unknown): LevelName {
  return levelName(toSeverityNumber(level))
}
