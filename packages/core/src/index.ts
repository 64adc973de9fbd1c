// @logsieve/core: the contract and the algorithms, no I/O.

export {
  type AnomalyOptions,
  alphaForHalfLife,
  type EmaState,
  emaUpdate,
  isAnomaly,
  type ZScoreOptions,
  zScore,
} from './anomaly.js'
export { type CoarseClock, createCoarseClock } from './coarse-clock.js'
export { errorDetail } from './error-detail.js'
export * from './generator.js'
export { hash32, hash64Hex } from './hash.js'
export { checkPolicy } from './policy-check.js'
export {
  createPolicyClient,
  createPolicyClientWith,
  memoryPolicyCache,
  PolicyFetchError,
} from './policy-client.js'
export { isSensitiveKey, redactExample } from './redact.js'
export {
  BACKFILL_SAMPLE_RATE,
  type BaseSampler,
  type BaseSamplerOptions,
  createBaseSampler,
  createSampler,
  createSamplerWith,
  traceThreshold,
  w3cThreshold,
} from './sampler.js'
export * from './schema.js'
export * from './severity.js'
export * from './signature.js'
export { checkStatsBatch } from './stats-check.js'
export { createStatsTable, type StatsTableOptions, toStatsBatch } from './stats-table.js'
export {
  formatTraceparent,
  isValidSpanId,
  isValidTraceId,
  parseTraceparent,
  randomSpanId,
  randomTraceId,
  type TraceContext,
} from './traceparent.js'
export type * from './types.js'
