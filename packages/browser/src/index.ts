// @logsieve/browser: per-pattern sampling in the page, batched sending, trace correlation.
export { encodeJson, encodeOtlp } from './otlp.js'
export { type PinoBrowserOptions, pinoBrowser } from './pino.js'
export { createBrowserSieve } from './sieve.js'
export { CACHE_FORMAT, type PolicyStorage, storagePolicyCache } from './storage-cache.js'
export type {
  BrowserLogger,
  BrowserSieve,
  BrowserSieveOptions,
  EndpointOptions,
  Fields,
  LineEncoder,
  LogRecord,
  Resource,
  TracePropagation,
} from './types.js'
