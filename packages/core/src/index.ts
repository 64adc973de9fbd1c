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
export { backoff } from './backoff.js'
export { type CoarseClock, createCoarseClock } from './coarse-clock.js'
export { errorDetail } from './error-detail.js'
export * from './generator.js'
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
  MAX_MERGE_TOKENS,
  type MergedPattern,
  type MergeOptions,
  type MergeResult,
  mergeTemplates,
  patternId,
  type TemplateEntry,
} from './pattern-merge.js'
export { checkPolicy } from './policy-check.js'
export {
  createPolicyClient,
  createPolicyClientWith,
  memoryPolicyCache,
  PolicyFetchError,
} from './policy-client.js'
export {
  type DiffablePolicy,
  diffPolicies,
  isEmptyDiff,
  type PolicyDiff,
  type RuleChange,
} from './policy-diff.js'
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
export * from './schema.js'
export * from './severity.js'
export * from './signature.js'
export { checkStatsBatch } from './stats-check.js'
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
