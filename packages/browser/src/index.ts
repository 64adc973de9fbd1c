// @logsieve/browser: per-pattern sampling in the page, batched sending, trace correlation.
export { encodeJson, encodeOtlp } from './otlp.js'
export { type PinoBrowserOptions, pinoBrowser } from './pino.js'
export { CACHE_FORMAT, createBrowserSieve } from './sieve.js'
export type {
  BrowserLogger,
  BrowserSieve,
  BrowserSieveOptions,
  EndpointOptions,
  Fields,
  LineEncoder,
  LogRecord,
  PolicyStorage,
  Resource,
  TracePropagation,
} from './types.js'
