// @logsieve/core: the contract and the algorithms, no I/O. Every wire type's definition, the generator,
// pattern merging and the policy diff (server, CLI) are here; SDKs import '@logsieve/core/sdk', the rest
// without them.
export {
  type AnomalyOptions,
  alphaForHalfLife,
  type EmaState,
  emaUpdate,
  isAnomaly,
  type ZScoreOptions,
  zScore,
} from './anomaly.js'
export * from './generator.js'
export {
  MAX_MERGE_TOKENS,
  type MergedPattern,
  type MergeOptions,
  type MergeResult,
  mergeTemplates,
  patternId,
  type TemplateEntry,
} from './pattern-merge.js'
export { type PatternLoad, type ProjectedPattern, projectUnderPolicy } from './pattern-projection.js'
export {
  type DiffablePolicy,
  diffPolicies,
  isEmptyDiff,
  type PolicyDiff,
  type RuleChange,
} from './policy-diff.js'
export * from './schema.js'
export * from './sdk.js'
export {
  backfilledPerSecond,
  cappedPerSecond,
  floorPerSecond,
  keptPerSecond,
  type PatternFlow,
  writtenBytesPerSecond,
} from './written.js'
