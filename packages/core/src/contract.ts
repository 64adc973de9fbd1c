// The zod-free half of the wire contract: limits, errors, the default policy and `checkPolicy`, the
// policy check SDKs run on the hot side. zod's schema setup cannot be tree-shaken, so anything a browser
// bundle imports lives here; schema.ts (zod) re-exports it and stays the server's and CLI's validator.
import type { Policy, Rule } from './schema.js'
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
  readonly code: string
  readonly field: string | undefined
  constructor(code: string, message: string, field?: string) {
    super(field ? `${code}: ${field} ${message}` : `${code}: ${message}`)
    this.name = 'ContractError'
    this.code = code
    this.field = field
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
  for (const level of ['error', 'fatal'] as const) {
    const r = policy.defaults.levels[level]
    if (r !== undefined && r !== 1)
      return invalid(`defaults.levels.${level}`, `must be 1: ${level} lines are never sampled`)
  }
  for (let i = 0; i < policy.rules.length; i++) {
    const rule = policy.rules[i]!
    if ((rule.level === 'error' || rule.level === 'fatal') && rule.rate !== 1) {
      return invalid(
        `rules[${i}].rate`,
        `must be 1 for level ${rule.level}: ${rule.level} lines are never sampled`,
      )
    }
  }
  return undefined
}

const invalid = (field: string, message: string) =>
  new ContractError('LOGSIEVE_POLICY_INVALID', message, field || undefined)

/** Thrown inside checkPolicy and turned into its result; never escapes. */
class Bad {
  constructor(
    readonly field: string,
    readonly message: string,
  ) {}
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

function num(v: unknown, field: string, min: number, max: number, int = false): number {
  if (typeof v !== 'number' || Number.isNaN(v)) throw new Bad(field, 'must be number')
  if (int && !Number.isInteger(v)) throw new Bad(field, 'must be int')
  if (v < min) throw new Bad(field, `must be >= ${min}`)
  if (v > max) throw new Bad(field, `must be <= ${max}`)
  return v
}

function str(v: unknown, field: string, max: number, pattern?: RegExp): string {
  if (typeof v !== 'string') throw new Bad(field, 'must be string')
  if (v.length > max) throw new Bad(field, `must have at most ${max} characters`)
  if (pattern && !pattern.test(v)) throw new Bad(field, 'is invalid')
  return v
}

function oneOf<T extends string>(v: unknown, field: string, values: readonly T[]): T {
  if (!values.includes(v as T))
    throw new Bad(field, `must be one of ${values.map((x) => `"${x}"`).join(', ')}`)
  return v as T
}

function time(v: unknown, field: string): string {
  if (typeof v !== 'string' || Number.isNaN(Date.parse(v))) throw new Bad(field, 'must be a valid datetime')
  return v
}

const positive = (v: unknown, field: string): number => {
  const n = num(v, field, 0, Number.POSITIVE_INFINITY)
  if (n === 0) throw new Bad(field, 'must be > 0')
  return n
}

function rule(v: unknown, f: string): Rule {
  if (!isObject(v)) throw new Bad(f, 'must be object')
  const out: Rule = {
    signature: str(v.signature, `${f}.signature`, 16, SIGNATURE_PATTERN),
    rate: num(v.rate, `${f}.rate`, 0, 1),
    reason: v.reason === undefined ? 'manual' : oneOf(v.reason, `${f}.reason`, RULE_REASONS),
  }
  if (v.level !== undefined) out.level = oneOf(v.level, `${f}.level`, LEVEL_NAMES)
  if (v.maxPerSecond !== undefined) out.maxPerSecond = positive(v.maxPerSecond, `${f}.maxPerSecond`)
  if (v.template !== undefined) out.template = str(v.template, `${f}.template`, MAX_TEMPLATE_LENGTH)
  if (v.expiresAt !== undefined) out.expiresAt = time(v.expiresAt, `${f}.expiresAt`)
  return out
}

function defaults(v: unknown): Policy['defaults'] {
  if (v === undefined) return defaultPolicy('_').defaults
  if (!isObject(v)) throw new Bad('defaults', 'must be object')
  const levels: Policy['defaults']['levels'] = {}
  if (v.levels !== undefined) {
    if (!isObject(v.levels)) throw new Bad('defaults.levels', 'must be object')
    for (const [k, r] of Object.entries(v.levels)) {
      levels[oneOf(k, 'defaults.levels', LEVEL_NAMES)] = num(r, `defaults.levels.${k}`, 0, 1)
    }
  }
  let newPattern: Policy['defaults']['newPattern'] = { rate: 1, maxPerSecond: 20 }
  if (v.newPattern !== undefined) {
    const n = v.newPattern
    if (!isObject(n)) throw new Bad('defaults.newPattern', 'must be object')
    newPattern = { rate: n.rate === undefined ? 1 : num(n.rate, 'defaults.newPattern.rate', 0, 1) }
    if (n.maxPerSecond !== undefined)
      newPattern.maxPerSecond = positive(n.maxPerSecond, 'defaults.newPattern.maxPerSecond')
  }
  let alwaysKeep = [...ALWAYS_KEEP]
  if (v.alwaysKeep !== undefined) {
    if (!Array.isArray(v.alwaysKeep)) throw new Bad('defaults.alwaysKeep', 'must be array')
    alwaysKeep = v.alwaysKeep.map((l, i) => oneOf(l, `defaults.alwaysKeep[${i}]`, LEVEL_NAMES))
  }
  return { levels, newPattern, alwaysKeep }
}

/**
 * The SDK-side policy check: zod-free (a few hundred bytes in a bundle), with the same shape, defaults and
 * safety rules as `parsePolicy`. Whatever `parsePolicy` accepts, this accepts with the same value; it is
 * lenient only where the sampler does not care (datetime formats, projection contents).
 */
export function checkPolicy(input: unknown): ParseResult<Policy> {
  try {
    if (!isObject(input)) throw new Bad('', 'must be object')
    const name = (v: unknown, f: string) => {
      const s = str(v, f, MAX_NAME_LENGTH, NAME_PATTERN)
      if (s.length === 0) throw new Bad(f, 'must have at least 1 characters')
      return s
    }
    const policy: Policy = {
      service: name(input.service, 'service'),
      environment: input.environment === undefined ? 'default' : name(input.environment, 'environment'),
      version: num(input.version, 'version', 0, Number.MAX_SAFE_INTEGER, true),
      source: input.source === undefined ? 'manual' : oneOf(input.source, 'source', POLICY_SOURCES),
      refreshSeconds:
        input.refreshSeconds === undefined
          ? 30
          : num(input.refreshSeconds, 'refreshSeconds', 1, 86_400, true),
      defaults: defaults(input.defaults),
      rules: [],
    }
    if (input.createdAt !== undefined) policy.createdAt = time(input.createdAt, 'createdAt')
    if (input.author !== undefined) policy.author = str(input.author, 'author', 256)
    if (input.reason !== undefined) policy.reason = str(input.reason, 'reason', 1024)
    if (input.rules !== undefined) {
      if (!Array.isArray(input.rules)) throw new Bad('rules', 'must be array')
      if (input.rules.length > MAX_RULES) throw new Bad('rules', `must have at most ${MAX_RULES} items`)
      policy.rules = input.rules.map((r, i) => rule(r, `rules[${i}]`))
    }
    if (input.projection !== undefined) {
      if (!isObject(input.projection)) throw new Bad('projection', 'must be object')
      policy.projection = input.projection as Policy['projection']
    }
    const unsafe = samplesErrors(policy)
    return unsafe ? { ok: false, error: unsafe } : { ok: true, value: policy }
  } catch (e) {
    if (e instanceof Bad) return { ok: false, error: invalid(e.field, e.message) }
    return { ok: false, error: invalid('', String(e)) }
  }
}
