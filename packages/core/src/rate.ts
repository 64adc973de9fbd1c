// The one rule for a line's rate under a policy (DESIGN §4): rules with expiry, always-kept levels, the
// warn-rule override, level defaults, newPattern. The sampler decides with it on every line; the server's
// /v1/patterns and the CLI report with it, so what they show is what SDKs do.
import type { Policy, Rule } from './schema.js'
import { LEVEL_NAMES, type LevelName } from './severity.js'
import type { TokenBucket } from './token-bucket.js'

/** A rule ready for the hot path: expiry parsed once. */
export interface CompiledRule {
  rate: number
  /** 0: no cap. */
  maxPerSecond: number
  /** ms since epoch; Infinity when the rule never expires. */
  expiresAt: number
  /** The policy's rule it was compiled from. */
  source: Rule
  /** A sampler's maxPerSecond bucket for this rule (two rules of one signature must not share one). */
  bucket: TokenBucket | undefined
}

/** Rules of one signature: per-level rules at LEVEL_NAMES indexes 0–5, the any-level rule at ANY_LEVEL. */
export type RuleEntry = Array<CompiledRule | undefined>
export const ANY_LEVEL = 6
const ERROR_INDEX = LEVEL_NAMES.indexOf('error')

/** What the rate of a line depends on: a policy's rules, defaults and merged patterns. */
export type RatePolicy = Pick<Policy, 'rules' | 'defaults'> & Partial<Pick<Policy, 'patterns'>>

/** A policy's rates in the shape the decision reads: compiled once per policy (setPolicy). */
export interface CompiledPolicy {
  rules: Map<string, RuleEntry>
  /** Per level index: kept whatever a rule says (error and fatal always). */
  alwaysKeep: boolean[]
  /** Per level index: the policy's level default, if any. */
  levelRates: Array<number | undefined>
  newRate: number
  /** 0: no cap. */
  newMax: number
  floorPerMinute: number
}

/** Compile a (validated) policy. Each call gives fresh rule objects: a sampler's buckets are its own. */
export function compilePolicy(policy: RatePolicy): CompiledPolicy {
  const rules = new Map<string, RuleEntry>()
  for (const rule of policy.rules ?? []) {
    let entry = rules.get(rule.signature)
    if (entry === undefined) {
      entry = []
      rules.set(rule.signature, entry)
    }
    const t = rule.expiresAt === undefined ? Number.NaN : Date.parse(rule.expiresAt)
    entry[rule.level === undefined ? ANY_LEVEL : LEVEL_NAMES.indexOf(rule.level)] = {
      rate: rule.rate,
      maxPerSecond: rule.maxPerSecond ?? 0,
      expiresAt: Number.isNaN(t) ? Number.POSITIVE_INFINITY : t,
      source: rule,
      bucket: undefined,
    }
  }
  // A pattern's rules apply to each member without a rule of its own (per level): resolved here, once.
  for (const p of policy.patterns ?? []) {
    const shared = rules.get(p.id)
    if (shared)
      for (const m of p.members ?? []) {
        const own = rules.get(m)
        if (own) for (let i = 0; i <= ANY_LEVEL; i++) own[i] ??= shared[i]
        else rules.set(m, shared)
      }
  }
  const defaults = policy.defaults
  const keep = defaults?.alwaysKeep ?? ['warn', 'error', 'fatal']
  return {
    rules,
    alwaysKeep: LEVEL_NAMES.map((l, i) => i >= ERROR_INDEX || keep.includes(l)),
    levelRates: LEVEL_NAMES.map((l) => defaults?.levels?.[l]),
    newRate: defaults?.newPattern?.rate ?? 1,
    newMax: defaults?.newPattern?.maxPerSecond ?? 0,
    floorPerMinute: defaults?.floorPerMinute ?? 1,
  }
}

/** What decided a line's rate. (The sampler adds `floor` and `capped`, which depend on the lines seen.) */
export type RateReason = 'always' | 'rule' | 'level' | 'new'

/** The rate a policy gives a (signature, level) and why; the sampler reuses one of these per line. */
export interface RateChoice {
  rate: number
  /** Kept lines per second per SDK instance; 0: no cap. */
  maxPerSecond: number
  reason: RateReason
  /** The rule that decided (reason `rule`). */
  rule: CompiledRule | undefined
}

/** The rule unless it has expired at `now()`; expiry-free rules skip the clock. */
const live = (rule: CompiledRule | undefined, now: () => number) =>
  rule !== undefined && (rule.expiresAt === Number.POSITIVE_INFINITY || now() <= rule.expiresAt)
    ? rule
    : undefined

/**
 * The decision order, written into `out` (the hot path allocates nothing): error and fatal are always
 * kept; another always-kept level (warn) yields to a live rule naming that level; then a live rule of the
 * level, a live any-level rule, the policy's level default, newPattern.
 */
export function chooseRate(
  policy: CompiledPolicy,
  entry: RuleEntry | undefined,
  levelIndex: number,
  now: () => number,
  out: RateChoice,
): RateChoice {
  const own = entry === undefined ? undefined : live(entry[levelIndex], now)
  out.rule = undefined
  out.maxPerSecond = 0
  if (policy.alwaysKeep[levelIndex] && (levelIndex >= ERROR_INDEX || own === undefined)) {
    out.rate = 1
    out.reason = 'always'
    return out
  }
  const rule = own ?? (entry === undefined ? undefined : live(entry[ANY_LEVEL], now))
  if (rule !== undefined) {
    out.rate = rule.rate
    out.maxPerSecond = rule.maxPerSecond
    out.reason = 'rule'
    out.rule = rule
  } else if (policy.levelRates[levelIndex] !== undefined) {
    // An explicit level default is the policy author's intent for every line of that level.
    out.rate = policy.levelRates[levelIndex]
    out.reason = 'level'
  } else {
    out.rate = policy.newRate
    out.maxPerSecond = policy.newMax
    out.reason = 'new'
  }
  return out
}

/** What `effectiveRate` answers. */
export interface EffectiveRate {
  /** Probability of keeping a line (0–1), before the per-minute floor and any cap. */
  rate: number
  reason: RateReason
  /** Cap on kept lines per second per SDK instance, when one applies. */
  maxPerSecond: number | undefined
  /** The policy's rule that decided (reason `rule`). */
  rule: Rule | undefined
}

// A policy object is compiled once however many patterns are asked about (a /v1/patterns page).
const compiled = new WeakMap<RatePolicy, CompiledPolicy>()

/**
 * The rate a policy gives lines of (signature, level) at time `now` (ms since epoch), and why: the same
 * decision as the sampler's, without the per-minute floor (which depends on the lines seen).
 *
 * @example
 * effectiveRate(policy, '9f2c4a1b7d3e5f60', 'warn') // { rate: 0.25, reason: 'rule', … }
 */
export function effectiveRate(
  policy: RatePolicy,
  signature: string,
  level: LevelName,
  now: number = Date.now(),
): EffectiveRate {
  let c = compiled.get(policy)
  if (c === undefined) {
    c = compilePolicy(policy)
    compiled.set(policy, c)
  }
  const choice = chooseRate(c, c.rules.get(signature), LEVEL_NAMES.indexOf(level), () => now, {
    rate: 1,
    maxPerSecond: 0,
    reason: 'always',
    rule: undefined,
  })
  return {
    rate: choice.rate,
    reason: choice.reason,
    maxPerSecond: choice.maxPerSecond > 0 ? choice.maxPerSecond : undefined,
    rule: choice.rule?.source,
  }
}
