// @logsieve/node: createSieve, and for logger integrations (pino, winston, your own) integrationOf and the
// Node-side building blocks they use.
export { BackfillBuffer, BackfillPool, estimateArgsBytes, isReplaying, type Replayer } from './backfill.js'
export {
  createScope,
  currentScope,
  currentTraceIds,
  currentTraceparent,
  otelIds,
  runInScope,
  type Scope,
  type ScopeInit,
  setScopeFields,
  type TraceIds,
} from './context.js'
export { defaultCacheDir, diskPolicyCache } from './disk-cache.js'
export type {
  ErrorMiddleware,
  ExpressErrorOptions,
  ExpressOptions,
  Middleware,
  ObjectLogger,
  RequestLike,
  RequestLine,
  ResponseLike,
} from './express.js'
export { integrationOf } from './integration.js'
export type { RouteHandler } from './next/route.js'
export { SieveConfigError } from './options.js'
export { createSieve } from './sieve.js'
export { createStatsSender, type StatsSender, type StatsSenderOptions } from './stats-sender.js'
export type { Diagnostic, ExportRecord, OtlpSink, Sieve, SieveIntegration, SieveOptions } from './types.js'
export { SDK_NAME, SDK_VERSION } from './version.js'
