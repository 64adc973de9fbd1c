// The policy (server → SDK, GET /v1/policies/:service): its one definition. The server validates with
// `parsePolicy` (admin writes, generation), /openapi.json shows `policyDefinition.json`, the CLI checks
// policy files and the Node SDK every policy it receives with the same function. The browser's smaller
// check (@logsieve/browser, page-policy.ts) is tested field by field against it.
import {
  array,
  bool,
  type Infer,
  type InferIn,
  nullable,
  num,
  object,
  oneOf,
  opt,
  or,
  type ParseResult,
  record,
  refine,
  runCheck,
  str,
  time,
} from './check.js'
import {
  ALWAYS_KEEP,
  MAX_NAME_LENGTH,
  MAX_PATTERN_MEMBERS,
  MAX_POLICY_PATTERNS,
  MAX_RULES,
  MAX_TEMPLATE_LENGTH,
  NAME_PATTERN,
  POLICY_SOURCES,
  RULE_REASONS,
  SIGNATURE_PATTERN,
  samplesErrors,
} from './contract.js'
import { LEVEL_NAMES } from './severity.js'

export const nameField = str({ max: MAX_NAME_LENGTH, min: 1, pattern: NAME_PATTERN })
export const signatureField = str({
  max: 16,
  pattern: SIGNATURE_PATTERN,
  says: 'must be 16 lowercase hex characters',
})
export const levelField = oneOf(LEVEL_NAMES)
export const countField = num({ min: 0, max: Number.MAX_SAFE_INTEGER, int: true })
export const sizeField = num({ min: 0 })
const rate = num({ min: 0, max: 1 })
const cap = num({ above: 0 })

export const ruleDefinition = object({
  signature: signatureField,
  /** When set, the rule applies to this level only; otherwise to every level of the signature. */
  level: opt(levelField),
  rate,
  /** Token-bucket cap on kept lines per second for this signature (per SDK instance). */
  maxPerSecond: opt(cap),
  reason: or(oneOf(RULE_REASONS), 'manual'),
  template: opt(str({ max: MAX_TEMPLATE_LENGTH })),
  /** A rule with an expiry stops applying after it (pins and boosts). */
  expiresAt: opt(time),
})

export const projectionDefinition = object({
  bytesPerDayBefore: sizeField,
  bytesPerDayAfter: sizeField,
  eventsPerSecondBefore: opt(sizeField),
  eventsPerSecondAfter: opt(sizeField),
  costPerDayBefore: opt(sizeField),
  costPerDayAfter: opt(sizeField),
  budgetBytesPerDay: opt(nullable(sizeField)),
  overBudget: opt(bool),
})

/** Signatures of one log statement merged by the server (docs/signature.md §9); rules may name its id. */
export const policyPatternDefinition = object({
  id: signatureField,
  members: array(signatureField, { min: 1, max: MAX_PATTERN_MEMBERS }),
  template: or(str({ max: MAX_TEMPLATE_LENGTH }), ''),
  reason: or(str({ max: 1024 }), ''),
})

const defaults = object({
  levels: or(record(levelField, rate), {}),
  newPattern: or(object({ rate: or(rate, 1), maxPerSecond: opt(cap) }), { rate: 1, maxPerSecond: 20 }),
  /** Levels kept whatever the rules say. error and fatal are always kept, listed or not. */
  alwaysKeep: or(array(levelField), [...ALWAYS_KEEP]),
  /**
   * Each SDK instance keeps the first N lines of every pattern in each wall-clock minute, with weight 1,
   * before sampling the rest: every pattern present in a minute has a kept line. Rules with rate 0 mute.
   */
  floorPerMinute: or(num({ min: 0, max: 1000, int: true }), 1),
})

export const policyDefinition = object({
  service: nameField,
  environment: or(nameField, 'default'),
  version: countField,
  source: or(oneOf(POLICY_SOURCES), 'manual'),
  createdAt: opt(time),
  author: opt(str({ max: 256 })),
  reason: opt(str({ max: 1024 })),
  /** How often SDKs should poll for a new version. */
  refreshSeconds: or(num({ min: 1, max: 86_400, int: true }), 30),
  defaults: or(defaults, {}),
  rules: or(array(ruleDefinition, { max: MAX_RULES }), []),
  /** Merged patterns: a rule whose signature is a pattern's id applies to each member without its own. */
  patterns: opt(
    refine(
      array(policyPatternDefinition, { max: MAX_POLICY_PATTERNS }),
      (list) => list.reduce((n, p) => n + p.members.length, 0) <= MAX_PATTERN_MEMBERS,
      `at most ${MAX_PATTERN_MEMBERS} members over all patterns`,
    ),
  ),
  projection: opt(projectionDefinition),
})

export type Rule = Infer<typeof ruleDefinition>
export type PolicyPattern = Infer<typeof policyPatternDefinition>
export type Projection = Infer<typeof projectionDefinition>
export type Policy = Infer<typeof policyDefinition>
export type PolicyInput = InferIn<typeof policyDefinition>
export type PolicySource = (typeof POLICY_SOURCES)[number]

/**
 * Validate a policy document. Rejects, with the field named, anything malformed and any policy that
 * would sample error or fatal lines (the one rule a field cannot say, see `samplesErrors`).
 */
export function parsePolicy(input: unknown): ParseResult<Policy> {
  const checked = runCheck(policyDefinition, input, 'LOGSIEVE_POLICY_INVALID')
  if (!checked.ok) return checked
  const unsafe = samplesErrors(checked.value)
  return unsafe ? { ok: false, error: unsafe } : checked
}
