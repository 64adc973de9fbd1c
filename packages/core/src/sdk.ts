// @logsieve/core/sdk: everything SDKs need, without the server's generator, pattern merging, policy diff
// and the other wire types' definitions. SDKs validate policies with parsePolicy, the server's own check.
export { backoff } from './backoff.js'
export { type CoarseClock, createCoarseClock } from './coarse-clock.js'
export * from './contract.js'
export { errorDetail } from './error-detail.js'
export { hash32, hash64Hex } from './hash.js'
export { groupKey, patternKey, splitGroupKey } from './keys.js'
export {
  type FieldSwitch,
  type LineFieldOptions,
  writesSampleRate,
  writesSignature,
  writesTrace,
} from './line-fields.js'
export {
  createPolicyClient,
  createPolicyClientWith,
  memoryPolicyCache,
  PolicyFetchError,
} from './policy-client.js'
export { parsePolicy } from './policy-contract.js'
export {
  type CompiledPolicy,
  compilePolicy,
  type EffectiveRate,
  effectiveRate,
  type RateReason,
} from './rate.js'
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
export type * from './schema.js'
export * from './severity.js'
export * from './signature.js'
export { createStatsTable, type StatsTableOptions, toStatsBatch } from './stats-table.js'
export { EVENT_KEYS, eventName, keySetTemplate, structuralMessage } from './structural-message.js'
export { createTokenBucket, type TokenBucket, takeToken } from './token-bucket.js'
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
export { withGetter } from './with-getter.js'
