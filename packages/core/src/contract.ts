// The wire contract's limits, errors and the default policy: the constants every definition
// (policy-contract.ts, stats-contract.ts, settings-contract.ts) and the browser's own checks share, in a
// module with no checkers, so that a bundle importing only these leaves the definitions out.
import { ContractError } from './check.js'
import type { Policy } from './policy-contract.js'

export { ContractError, formatPath, type ParseResult } from './check.js'

import type { LevelName } from './severity.js'

export const SIGNATURE_PATTERN = /^[0-9a-f]{16}$/
/** Longest template the server stores; SDKs truncate before sending. */
export const MAX_TEMPLATE_LENGTH = 1024
/** Longest redacted example line an SDK may send per pattern. */
export const MAX_EXAMPLE_LENGTH = 2048
/** Most patterns in one stats batch (the SDK table holds 2,000 by default). */
export const MAX_PATTERNS_PER_BATCH = 5000
export const MAX_NAME_LENGTH = 128
export const MAX_RULES = 20_000
/** Most merged patterns in a policy, and most member signatures over all of them (bounded policy size). */
export const MAX_POLICY_PATTERNS = 2000
export const MAX_PATTERN_MEMBERS = 20_000
export const NAME_PATTERN = /^[A-Za-z0-9._:/@-]+$/

export const RULE_REASONS = ['budget', 'floor', 'new', 'anomaly', 'pin', 'manual', 'level'] as const
export type RuleReason = (typeof RULE_REASONS)[number]
export const POLICY_SOURCES = ['default', 'generated', 'manual', 'rollback'] as const
/** Levels kept whatever the rules say, unless a policy lists others. */
export const ALWAYS_KEEP: readonly LevelName[] = ['warn', 'error', 'fatal']
/**
 * A new service's first generated policies: the first comes from its first stats (2 s of traffic), and
 * until the service has this many, each next stats window brings the next one. Estimates from seconds of
 * traffic are noisy (a handful of errors); SDKs send their early windows after 2, 8, 16 and 30 s, so
 * each policy rests on about twice the traffic of the one before.
 */
export const SETTLING_POLICIES = 4

/** The JSON error body every server error uses. */
export interface ErrorBody {
  error: { code: string; message: string; field?: string }
}

/** The policy an SDK uses before any policy arrives: keep everything, cap brand-new patterns. */
export function defaultPolicy(service: string, environment = 'default'): Policy {
  return {
    service,
    environment,
    version: 0,
    source: 'default',
    refreshSeconds: 30,
    defaults: {
      levels: {},
      newPattern: { rate: 1, maxPerSecond: 20 },
      alwaysKeep: [...ALWAYS_KEEP],
      floorPerMinute: 1,
    },
    rules: [],
  }
}

/** The policy rule no single field can say: error and fatal lines are never sampled. */
export function samplesErrors(policy: Policy): ContractError | undefined {
  const field =
    ['error', 'fatal'].find((l) => (policy.defaults.levels[l as LevelName] ?? 1) !== 1) ??
    policy.rules.findIndex((r) => (r.level === 'error' || r.level === 'fatal') && r.rate !== 1)
  if (typeof field === 'string') return invalid(`defaults.levels.${field}`, NEVER_SAMPLED)
  return field < 0 ? undefined : invalid(`rules[${field}].rate`, NEVER_SAMPLED)
}

const NEVER_SAMPLED = 'must be 1: error and fatal lines are never sampled'

const invalid = (field: string, message: string) =>
  new ContractError('LOGSIEVE_POLICY_INVALID', message, field || undefined)
