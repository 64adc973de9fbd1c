// The wire contract between SDKs, the policy server and the CLI: one set of schemas, imported by all.
// zod/mini keeps the browser bundle small (tree-shakable functions instead of methods).
import * as z from 'zod/mini'
import {
  ContractError,
  formatPath,
  MAX_EXAMPLE_LENGTH,
  MAX_NAME_LENGTH,
  MAX_PATTERN_MEMBERS,
  MAX_PATTERNS_PER_BATCH,
  MAX_POLICY_PATTERNS,
  MAX_RULES,
  MAX_TEMPLATE_LENGTH,
  NAME_PATTERN,
  type ParseResult,
  POLICY_SOURCES,
  RULE_REASONS,
  SIGNATURE_PATTERN,
  samplesErrors,
} from './contract.js'
import { LEVEL_NAMES } from './severity.js'

export * from './contract.js'

const name = z.string().check(z.minLength(1), z.maxLength(MAX_NAME_LENGTH), z.regex(NAME_PATTERN))
const count = z.number().check(z.int(), z.nonnegative())
const nonNegative = z.number().check(z.nonnegative(), z.refine(Number.isFinite, 'must be finite'))
const isoTime = z.iso.datetime({ offset: true })
const rate = z.number().check(z.gte(0), z.lte(1))

export const levelSchema = z.enum(LEVEL_NAMES)
export const signatureSchema = z
  .string()
  .check(z.regex(SIGNATURE_PATTERN, 'must be 16 lowercase hex characters'))

// ── Stats (SDK → server, POST /v1/stats) ────────────────────────────────────────────────────────────

export const patternStatsSchema = z.object({
  signature: signatureSchema,
  level: levelSchema,
  template: z.string().check(z.maxLength(MAX_TEMPLATE_LENGTH)),
  /** Lines seen in the window. */
  seen: count,
  /** Lines kept (emitted) in the window. */
  kept: count,
  /**
   * Written bytes of all seen lines, Logsieve's fields included (kept: measured; dropped: estimated from
   * kept lines, as if kept).
   */
  bytes: nonNegative,
  /** Written bytes of the kept lines. */
  keptBytes: z.optional(nonNegative),
  /** Bytes of all seen lines as the plain logger would write them, without Logsieve's fields. Missing: `bytes`. */
  plainBytes: z.optional(nonNegative),
  firstSeen: z.optional(isoTime),
  /** One redacted example line. */
  example: z.optional(z.string().check(z.maxLength(MAX_EXAMPLE_LENGTH))),
})

export const statsBatchSchema = z.object({
  sdk: z.object({
    name: z.string().check(z.maxLength(MAX_NAME_LENGTH)),
    version: z.string().check(z.maxLength(64)),
  }),
  service: name,
  environment: z._default(name, 'default'),
  instance: z.optional(z.string().check(z.maxLength(256))),
  policyVersion: z.optional(z.nullable(count)),
  window: z.object({ start: isoTime, end: isoTime }),
  patterns: z.array(patternStatsSchema).check(z.maxLength(MAX_PATTERNS_PER_BATCH)),
  overflow: z.optional(
    z.object({ seen: count, kept: count, bytes: nonNegative, plainBytes: z.optional(nonNegative) }),
  ),
})

export type PatternStats = z.infer<typeof patternStatsSchema>
export type StatsBatch = z.infer<typeof statsBatchSchema>
export type StatsBatchInput = z.input<typeof statsBatchSchema>

// ── Policy (server → SDK, GET /v1/policies/:service) ────────────────────────────────────────────────

export const ruleSchema = z.object({
  signature: signatureSchema,
  /** When set, the rule applies to this level only; otherwise to every level of the signature. */
  level: z.optional(levelSchema),
  rate,
  /** Token-bucket cap on kept lines per second for this signature (per SDK instance). */
  maxPerSecond: z.optional(z.number().check(z.positive())),
  reason: z._default(z.enum(RULE_REASONS), 'manual'),
  template: z.optional(z.string().check(z.maxLength(MAX_TEMPLATE_LENGTH))),
  /** A rule with an expiry stops applying after it (pins and boosts). */
  expiresAt: z.optional(isoTime),
})

export const projectionSchema = z.object({
  bytesPerDayBefore: nonNegative,
  bytesPerDayAfter: nonNegative,
  eventsPerSecondBefore: z.optional(nonNegative),
  eventsPerSecondAfter: z.optional(nonNegative),
  costPerDayBefore: z.optional(nonNegative),
  costPerDayAfter: z.optional(nonNegative),
  budgetBytesPerDay: z.optional(z.nullable(nonNegative)),
  overBudget: z.optional(z.boolean()),
})

/** Signatures of one log statement merged by the server (docs/signature.md §9); rules may name its id. */
export const policyPatternSchema = z.object({
  id: signatureSchema,
  members: z.array(signatureSchema).check(z.minLength(1), z.maxLength(MAX_PATTERN_MEMBERS)),
  template: z._default(z.string().check(z.maxLength(MAX_TEMPLATE_LENGTH)), ''),
  reason: z._default(z.string().check(z.maxLength(1024)), ''),
})

export const policySchema = z.object({
  service: name,
  environment: z._default(name, 'default'),
  version: count,
  source: z._default(z.enum(POLICY_SOURCES), 'manual'),
  createdAt: z.optional(isoTime),
  author: z.optional(z.string().check(z.maxLength(256))),
  reason: z.optional(z.string().check(z.maxLength(1024))),
  /** How often SDKs should poll for a new version. */
  refreshSeconds: z._default(z.number().check(z.int(), z.gte(1), z.lte(86_400)), 30),
  defaults: z._default(
    z.object({
      levels: z._default(z.partialRecord(levelSchema, rate), {}),
      newPattern: z._default(
        z.object({ rate: z._default(rate, 1), maxPerSecond: z.optional(z.number().check(z.positive())) }),
        { rate: 1, maxPerSecond: 20 },
      ),
      /** Levels kept whatever the rules say. error and fatal are always kept, listed or not. */
      alwaysKeep: z._default(z.array(levelSchema), ['warn', 'error', 'fatal']),
      /**
       * Each SDK instance keeps the first N lines of every pattern in each wall-clock minute, with weight 1,
       * before sampling the rest: every pattern present in a minute has a kept line. Rules with rate 0 mute.
       */
      floorPerMinute: z._default(z.number().check(z.int(), z.gte(0), z.lte(1000)), 1),
    }),
    {
      levels: {},
      newPattern: { rate: 1, maxPerSecond: 20 },
      alwaysKeep: ['warn', 'error', 'fatal'],
      floorPerMinute: 1,
    },
  ),
  rules: z._default(z.array(ruleSchema).check(z.maxLength(MAX_RULES)), []),
  /** Merged patterns: a rule whose signature is a pattern's id applies to each member without its own. */
  patterns: z.optional(
    z.array(policyPatternSchema).check(
      z.maxLength(MAX_POLICY_PATTERNS),
      z.refine(
        (list) => list.reduce((n, p) => n + p.members.length, 0) <= MAX_PATTERN_MEMBERS,
        `at most ${MAX_PATTERN_MEMBERS} members over all patterns`,
      ),
    ),
  ),
  projection: z.optional(projectionSchema),
})

export type Rule = z.infer<typeof ruleSchema>
export type PolicyPattern = z.infer<typeof policyPatternSchema>
export type Projection = z.infer<typeof projectionSchema>
export type Policy = z.infer<typeof policySchema>
export type PolicyInput = z.input<typeof policySchema>
export type PolicySource = (typeof POLICY_SOURCES)[number]

// ── Service settings and pins (CLI/admin ↔ server) ─────────────────────────────────────────────────

export const budgetSchema = z.union([
  z.object({ bytesPerDay: z.number().check(z.positive()) }),
  z.object({ eventsPerSecond: z.number().check(z.positive()) }),
  /** Target reduction of bytes, 0.9 = keep 10%. */
  z.object({ reduction: z.number().check(z.gte(0), z.lt(1)) }),
])

export const settingsSchema = z.object({
  budget: z.optional(z.nullable(budgetSchema)),
  /** Every pattern keeps at least this many lines per minute (coverage floor). */
  floorPerMinute: z._default(z.number().check(z.nonnegative()), 1),
  alwaysKeep: z._default(z.array(levelSchema), ['warn', 'error', 'fatal']),
  /** Relative weight of a level in water-filling: a debug pattern with weight 0.25 gets a quarter of the cap. */
  levelWeights: z._default(z.partialRecord(levelSchema, z.number().check(z.positive())), {
    trace: 0.25,
    debug: 0.5,
  }),
  /** Dollars per GB ingested, for cost projections. */
  costPerGB: z._default(z.number().check(z.nonnegative()), 0.5),
  /**
   * Patterns first seen within this many seconds of the service's first stats are its baseline, not
   * "new": a service's first policy boosts nothing just because everything is new to the server.
   */
  baselineSeconds: z._default(z.number().check(z.int(), z.nonnegative()), 120),
  /** How long a new or anomalous pattern is kept at rate 1. */
  boostSeconds: z._default(z.number().check(z.int(), z.positive()), 900),
  /** Cap on kept lines per second per instance for boosted patterns. */
  boostMaxPerSecond: z._default(z.number().check(z.positive()), 20),
  refreshSeconds: z._default(z.number().check(z.int(), z.gte(1), z.lte(86_400)), 30),
})

export const pinSchema = z.object({
  signature: signatureSchema,
  level: z.optional(levelSchema),
  rate,
  reason: z.string().check(z.minLength(1), z.maxLength(1024)),
  expiresAt: z.optional(z.nullable(isoTime)),
})

export type Budget = z.infer<typeof budgetSchema>
export type Settings = z.infer<typeof settingsSchema>
export type SettingsInput = z.input<typeof settingsSchema>
export type Pin = z.infer<typeof pinSchema>

// ── Errors ───────────────────────────────────────────────────────────────────────────────────────────

function parseWith<S extends z.ZodMiniType>(
  schema: S,
  input: unknown,
  code: string,
): ParseResult<z.infer<S>> {
  const result = schema.safeParse(input)
  if (result.success) return { ok: true, value: result.data as z.infer<S> }
  const issue = result.error.issues[0]
  const field = issue ? formatPath(issue.path) : undefined
  const message = issue ? describeIssue(issue) : 'is invalid'
  return { ok: false, error: new ContractError(code, message, field || undefined) }
}

/**
 * Validate a policy document. Rejects, with the field named, anything malformed and any policy that
 * would sample error or fatal lines.
 */
export function parsePolicy(input: unknown): ParseResult<Policy> {
  const parsed = parseWith(policySchema, input, 'LOGSIEVE_POLICY_INVALID')
  if (!parsed.ok) return parsed
  const unsafe = samplesErrors(parsed.value)
  return unsafe ? { ok: false, error: unsafe } : parsed
}

// zod/mini ships no locale (that keeps it small), so messages are phrased here from the issue itself.
function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.message && issue.message !== 'Invalid input') return issue.message
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? `is required (${issue.expected})` : `must be ${issue.expected}`
    case 'too_big':
      return issue.origin === 'string' || issue.origin === 'array'
        ? `must have at most ${issue.maximum} ${issue.origin === 'string' ? 'characters' : 'items'}`
        : `must be ${issue.inclusive ? '<=' : '<'} ${issue.maximum}`
    case 'too_small':
      return issue.origin === 'string' || issue.origin === 'array'
        ? `must have at least ${issue.minimum} ${issue.origin === 'string' ? 'characters' : 'items'}`
        : `must be ${issue.inclusive ? '>=' : '>'} ${issue.minimum}`
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`
    case 'invalid_format':
      return `must be a valid ${issue.format}`
    case 'invalid_union':
      return 'does not match any allowed shape'
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}`
    case 'unrecognized_keys':
      return `has unknown keys ${issue.keys.join(', ')}`
    default:
      return 'is invalid'
  }
}

export function parseStatsBatch(input: unknown): ParseResult<StatsBatch> {
  return parseWith(statsBatchSchema, input, 'LOGSIEVE_STATS_INVALID')
}

export function parseSettings(input: unknown): ParseResult<Settings> {
  return parseWith(settingsSchema, input, 'LOGSIEVE_SETTINGS_INVALID')
}

export function parsePin(input: unknown): ParseResult<Pin> {
  return parseWith(pinSchema, input, 'LOGSIEVE_PIN_INVALID')
}
