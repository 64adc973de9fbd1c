// The zod-free half of the wire contract: limits, errors, the default policy and `checkPolicy`, the
// policy check SDKs run on the hot side. zod's schema setup cannot be tree-shaken, so anything a browser
// bundle imports lives here; schema.ts (zod) re-exports it and stays the server's and CLI's validator.
import {
  array,
  type Check,
  ContractError,
  fail,
  isObject,
  num,
  object,
  oneOf,
  opt,
  or,
  type ParseResult,
  positive,
  runCheck,
  str,
  time,
} from './check.js'
import type { Policy } from './schema.js'

export { ContractError, type ParseResult } from './check.js'

import { LEVEL_NAMES, type LevelName } from './severity.js'

export const SIGNATURE_PATTERN = /^[0-9a-f]{16}$/
/** Longest template the server stores; SDKs truncate before sending. */
export const MAX_TEMPLATE_LENGTH = 1024
/** Longest redacted example line an SDK may send per pattern. */
export const MAX_EXAMPLE_LENGTH = 2048
/** Most patterns in one stats batch (the SDK table holds 2,000 by default). */
export const MAX_PATTERNS_PER_BATCH = 5000
export const MAX_NAME_LENGTH = 128
export const MAX_RULES = 20_000
export const NAME_PATTERN = /^[A-Za-z0-9._:/@-]+$/

export const RULE_REASONS = ['budget', 'floor', 'new', 'anomaly', 'pin', 'manual', 'level'] as const
export type RuleReason = (typeof RULE_REASONS)[number]
export const POLICY_SOURCES = ['default', 'generated', 'manual', 'rollback'] as const
const ALWAYS_KEEP: LevelName[] = ['warn', 'error', 'fatal']

/** The JSON error body every server error uses. */
export interface ErrorBody {
  error: { code: string; message: string; field?: string }
}

/** `['rules', 3, 'rate']` → `rules[3].rate` */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = ''
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`
    else out += out ? `.${String(part)}` : String(part)
  }
  return out
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

/** The one rule both validators share: error and fatal lines are never sampled. */
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

const rate = num(0)
const level = oneOf(LEVEL_NAMES)
const name = str(MAX_NAME_LENGTH, NAME_PATTERN, 1)

const levels: Check = (v, f) => {
  if (!isObject(v)) return fail(f, 'must be an object')
  const out: Record<string, number> = {}
  for (const [k, r] of Object.entries(v)) out[level(k, f)] = rate(r, `${f}.${k}`)
  return out
}

const policy = object({
  service: name,
  environment: or(name, 'default'),
  version: num(0, Number.MAX_SAFE_INTEGER, true),
  source: or(oneOf(POLICY_SOURCES), 'manual'),
  createdAt: opt(time),
  author: opt(str(256)),
  reason: opt(str(1024)),
  refreshSeconds: or(num(1, 86_400, true), 30),
  defaults: or(
    object({
      levels: or(levels, {}),
      newPattern: or(object({ rate: or(rate, 1), maxPerSecond: opt(positive) }), { maxPerSecond: 20 }),
      alwaysKeep: or(array(level), ALWAYS_KEEP),
      floorPerMinute: or(num(0, 1000, true), 1),
    }),
    {},
  ),
  rules: or(
    array(
      object({
        signature: str(16, SIGNATURE_PATTERN),
        level: opt(level),
        rate,
        maxPerSecond: opt(positive),
        reason: or(oneOf(RULE_REASONS), 'manual'),
        template: opt(str(MAX_TEMPLATE_LENGTH)),
        expiresAt: opt(time),
      }),
      MAX_RULES,
    ),
    [],
  ),
  // Lenient: the sampler never reads the projection, so its contents are passed on unchecked.
  projection: opt((v, f) => (isObject(v) ? v : fail(f, 'must be an object'))),
})

/**
 * The SDK-side policy check: zod-free (a few hundred bytes in a bundle), with the same shape, defaults and
 * safety rules as `parsePolicy`. Whatever `parsePolicy` accepts, this accepts with the same value; it is
 * lenient only where the sampler does not care (datetime formats, projection contents).
 */
export function checkPolicy(input: unknown): ParseResult<Policy> {
  const checked = runCheck(policy, input, 'LOGSIEVE_POLICY_INVALID')
  if (!checked.ok) return checked
  const unsafe = samplesErrors(checked.value as unknown as Policy)
  return unsafe ? { ok: false, error: unsafe } : (checked as unknown as ParseResult<Policy>)
}
