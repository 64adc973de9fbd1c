// Public options of the pino integration.

export interface SievePinoOptions {
  /** Add `trace_id` and `span_id` (active OpenTelemetry span, else the Logsieve scope) to kept lines. @default true */
  traceFields?: boolean
  /** Add the scope's `request_id` and user fields (`sieve.setFields`) to kept lines. @default true */
  scopeFields?: boolean
  /** Add `signature` to kept lines. @default true */
  signatureField?: boolean
}

/** The subset of a pino logger the integration touches (pino 8, 9 and 10). */
export interface PinoLike {
  level: string
  flush?: (cb?: (err?: Error) => void) => void
}

/** pino's `hooks.logMethod` signature. */
export type LogMethodHook = (this: PinoLike, args: unknown[], method: LogFn, level: number) => void
export type LogFn = (...args: unknown[]) => void
/** pino's `hooks.streamWrite` signature (pino 9+). */
export type StreamWriteHook = (line: string) => string
/** pino's `mixin` signature. */
export type MixinFn = (mergeObject: object, level: number, logger: unknown) => object
