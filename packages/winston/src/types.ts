// Public options of the winston integration.
import type { LineFieldOptions } from '@logsieve/core/sdk'

/**
 * The fields switches (`signatureField`, `traceFields`, `scopeFields`) are core's, shared with pino: see
 * docs/concepts.md (Fields on kept lines).
 */
export interface SieveFormatOptions extends LineFieldOptions {
  /**
   * Level below which lines are dropped before counting, for a format used without `attach(logger)`.
   * Set it to the logger's level. After `attach`, the logger's live level and transports decide.
   * @default undefined (every level counts)
   */
  level?: string
  /** Level values, lower = more severe (winston's convention). @default winston's npm levels */
  levels?: Record<string, number>
}

/** A winston info object. */
export interface WinstonInfo {
  level: string
  message: unknown
  [key: string]: unknown
  [key: symbol]: unknown
}

/** The subset of a winston logger the integration uses. */
export interface WinstonLoggerLike {
  level: string
  levels?: Record<string, number>
  transports?: ReadonlyArray<{ level?: string }>
  format?: unknown
  write(info: object): unknown
}

/** A logform format (usable in `format.combine`) that can be attached to its logger. */
export interface SieveFormat {
  options: object
  transform(info: WinstonInfo, options?: unknown): WinstonInfo | false
  /** Follow `logger`'s live level and transports, and enable backfill through it. Returns the logger. */
  attach<L extends WinstonLoggerLike>(logger: L): L
  /**
   * Called with the info after the logger's own format ran (`attachSieve` does it): when this format
   * just kept it, the size of its serialized message (`info[Symbol.for('message')]`) goes to the stats.
   */
  measure(info: WinstonInfo): void
}
