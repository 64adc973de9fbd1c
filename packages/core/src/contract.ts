// The zod-free half of the wire contract: limits, errors, the default policy and `checkPolicy`, the
// policy check SDKs run on the hot side. zod's schema setup cannot be tree-shaken, so anything a browser
// bundle imports lives here; schema.ts (zod) re-exports it and stays the server's and CLI's validator.
import type { Policy } from './schema.js'
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

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: ContractError }

/** A validation failure that names the offending field, e.g. `rules[3].rate`. */
export class ContractError extends Error {
  // `declare`: assigned in the constructor, so no class-field initializers in the browser bundle.
  declare readonly code: string
  declare readonly field: string | undefined
  constructor(code: string, message: string, field?: string) {
    super(field ? `${code}: ${field} ${message}` : `${code}: ${message}`)
    this.name = 'ContractError'
    ;(this as { code: string }).code = code
    ;(this as { field: string | undefined }).field = field
  }
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
    defaults: { levels: {}, newPattern: { rate: 1, maxPerSecond: 20 }, alwaysKeep: [...ALWAYS_KEEP] },
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

// checkPolicy is built from a few checkers rather than a schema library: each takes the value and its
// field path, returns the value (or a fresh copy with defaults filled in) and throws a ContractError.
type Check<T = unknown> = (v: unknown, field: string) => T

const fail = (field: string, message: string): never => {
  throw invalid(field, message)
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

const num =
  (min: number, max = 1, int?: boolean): Check<number> =>
  (v, f) =>
    typeof v === 'number' && v >= min && v <= max && (!int || Number.isInteger(v))
      ? v
      : fail(f, `must be ${int ? 'an integer' : 'a number'} from ${min} to ${max}`)

const positive: Check<number> = (v, f) =>
  typeof v === 'number' && v > 0 ? v : fail(f, 'must be a number > 0')

const str =
  (max: number, pattern?: RegExp, min = 0): Check<string> =>
  (v, f) =>
    typeof v === 'string' && v.length >= min && v.length <= max && (!pattern || pattern.test(v))
      ? v
      : fail(f, `must be a string of ${min} to ${max} characters${pattern ? ` matching ${pattern}` : ''}`)

const oneOf =
  <T extends string>(values: readonly T[]): Check<T> =>
  (v, f) =>
    values.includes(v as T) ? (v as T) : fail(f, `must be one of ${values.join(', ')}`)

const time: Check<string> = (v, f) =>
  typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? v : fail(f, 'must be a valid datetime')

const array =
  <T>(item: Check<T>, max = Number.POSITIVE_INFINITY): Check<T[]> =>
  (v, f) =>
    Array.isArray(v) && v.length <= max
      ? v.map((x, i) => item(x, `${f}[${i}]`))
      : fail(f, `must be an array of at most ${max} items`)

/** Absent: `fallback` (an input, checked like one, so every default is a fresh copy). */
const or =
  <T>(check: Check<T>, fallback: unknown): Check<T> =>
  (v, f) =>
    check(v === undefined ? fallback : v, f)

/** Absent stays absent. */
const opt =
  <T>(check: Check<T>): Check<T | undefined> =>
  (v, f) =>
    v === undefined ? undefined : check(v, f)

/** An object with the keys of `shape` (others are dropped, as zod does); undefined results stay unset. */
const object =
  (shape: Record<string, Check>): Check<Record<string, unknown>> =>
  (v, f) => {
    if (!isObject(v)) return fail(f, 'must be an object')
    const out: Record<string, unknown> = {}
    for (const key in shape) {
      const value = (shape[key] as Check)(v[key], f ? `${f}.${key}` : key)
      if (value !== undefined) out[key] = value
    }
    return out
  }

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
  try {
    const value = policy(input, '') as unknown as Policy
    const unsafe = samplesErrors(value)
    return unsafe ? { ok: false, error: unsafe } : { ok: true, value }
  } catch (e) {
    return { ok: false, error: e instanceof ContractError ? e : invalid('', String(e)) }
  }
}
