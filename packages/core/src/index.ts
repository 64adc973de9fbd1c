// @logsieve/core: the contract and the algorithms, no I/O. The zod schemas, the generator, pattern
// merging, the policy diff and the stats check (server, CLI) are here; SDKs import '@logsieve/core/sdk',
// the rest without them.
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
export {
  type DiffablePolicy,
  diffPolicies,
  isEmptyDiff,
  type PolicyDiff,
  type RuleChange,
} from './policy-diff.js'
export * from './schema.js'
export * from './sdk.js'
export { checkStatsBatch } from './stats-check.js'
