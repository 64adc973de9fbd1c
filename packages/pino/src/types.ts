// Public options of the pino integration.
import type { LineFieldOptions } from '@logsieve/core/sdk'

/**
 * Which of Logsieve's fields kept lines carry (the rule is core's `writesSignature`/`writesTrace`, shared
 * with winston): `signatureField` (default false) and `traceFields` (default true) take `false`, `true`
 * (when the field earns its bytes) or `'always'`; `scopeFields` takes a boolean. See docs/pino.md.
 */
export interface SievePinoOptions extends LineFieldOptions {}

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
