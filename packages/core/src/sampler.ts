// The hot-path sampling decision (DESIGN §4): signature → rule → token bucket → consistent threshold.
// Allocates nothing on the drop path: one Decision object per sampler is reused.

import { defaultPolicy } from './contract.js'
import { hash32 } from './hash.js'
import type { Policy, Rule } from './schema.js'
import { LEVEL_NAMES, type LevelName, levelName, toSeverityNumber } from './severity.js'
import { computeSignature, templateSignature, toMessageText } from './signature.js'
import { createStatsTable } from './stats-table.js'
import { BucketMap, createTokenBucket, type TokenBucket, takeToken } from './token-bucket.js'
import type { DecideOptions, Decision, Sampler, SamplerOptions, SignatureResult } from './types.js'

/** A rule ready for the hot path: expiry parsed once in setPolicy. */
interface CompiledRule {
  rate: number
  maxPerSecond: number
  /** ms since epoch; Infinity when the rule never expires. */
  expiresAt: number
  /** The rule's own maxPerSecond bucket: two rules of one signature (per level) must not share one. */
  bucket: TokenBucket | undefined
}

/** Rules of one signature: one for any level, and per-level overrides (index = LEVEL_NAMES order). */
interface RuleEntry {
  any: CompiledRule | undefined
  byLevel: Array<CompiledRule | undefined> | undefined
}

/** Bytes a serialized line adds beyond its message (time, level, pid, hostname, keys): an estimate. */
const LINE_OVERHEAD_BYTES = 64
const TWO_POW_56 = 2 ** 56
const TWO_POW_32 = 2 ** 32
// Null prototype: a bogus level such as 'toString' must find nothing, not Object.prototype.toString.
const LEVEL_INDEX: Readonly<Record<string, number>> = Object.assign(
  Object.create(null),
  Object.fromEntries(LEVEL_NAMES.map((l, i) => [l, i])),
)
const ERROR_INDEX = LEVEL_NAMES.indexOf('error')

function compile(rule: Rule): CompiledRule {
  const t = rule.expiresAt === undefined ? Number.POSITIVE_INFINITY : Date.parse(rule.expiresAt)
  return {
    rate: rule.rate,
    maxPerSecond: rule.maxPerSecond ?? 0,
    expiresAt: Number.isNaN(t) ? Number.POSITIVE_INFINITY : t,
    bucket: undefined,
  }
}

/**
 * The sampling threshold u of a trace; a line is kept when u ≤ rate. For a W3C trace id, u = 1 − R/2^56
 * where R is its rightmost 56 bits (the randomness of OpenTelemetry's consistent probability sampling),
 * so u ≤ rate ⟺ R ≥ (1 − rate)·2^56: exactly the traces an OpenTelemetry sampler at probability `rate`
 * keeps. Any other id: hash32(id) / 2^32. Loops over char codes so the hot path allocates no strings.
 */
export function traceThreshold(traceId: string): number {
  if (traceId.length === 32) {
    let r = 0
    let ok = true
    for (let i = 18; i < 32; i++) {
      const c = traceId.charCodeAt(i)
      const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1
      if (d < 0) {
        ok = false
        break
      }
      r = r * 16 + d
    }
    // Doubles keep 53 of R's 56 bits: thresholds are exact for power-of-two rates, off by ≤ 2^-53 otherwise.
    if (ok) return 1 - r / TWO_POW_56
  }
  return hash32(traceId) / TWO_POW_32
}

class PolicySampler implements Sampler {
  policy: Policy
  readonly stats
  private readonly random: () => number
  private readonly now: () => number
  private readonly onError: ((error: unknown) => void) | undefined
  private rules = new Map<string, RuleEntry>()
  private alwaysKeep: boolean[] = []
  private levelRates: Array<number | undefined> = []
  private newRate = 1
  private newMax = 0
  private readonly newBuckets = new BucketMap()
  private readonly decision: Decision = {
    keep: true,
    signature: '',
    template: '',
    level: 'info',
    severity: 9,
    rate: 1,
    sampleRate: 1,
    reason: 'always',
  }

  constructor(options?: SamplerOptions) {
    this.stats = options?.stats ?? createStatsTable()
    this.random = options?.random ?? Math.random
    this.now = options?.now ?? Date.now
    this.onError = options?.onError
    this.policy = options?.policy ?? defaultPolicy('unknown')
    this.setPolicy(this.policy)
  }

  setPolicy(policy: Policy): void {
    const rules = new Map<string, RuleEntry>()
    for (const rule of policy.rules ?? []) {
      let entry = rules.get(rule.signature)
      if (entry === undefined) {
        entry = { any: undefined, byLevel: undefined }
        rules.set(rule.signature, entry)
      }
      if (rule.level === undefined) entry.any = compile(rule)
      else {
        entry.byLevel ??= [undefined, undefined, undefined, undefined, undefined, undefined]
        entry.byLevel[LEVEL_NAMES.indexOf(rule.level)] = compile(rule)
      }
    }
    const defaults = policy.defaults
    const keep = defaults?.alwaysKeep ?? ['warn', 'error', 'fatal']
    this.alwaysKeep = LEVEL_NAMES.map((l) => l === 'error' || l === 'fatal' || keep.includes(l))
    this.levelRates = LEVEL_NAMES.map((l) => defaults?.levels?.[l])
    this.newRate = defaults?.newPattern?.rate ?? 1
    this.newMax = defaults?.newPattern?.maxPerSecond ?? 0
    this.rules = rules
    this.policy = policy
    this.newBuckets.clear()
  }

  decide(level: unknown, text: unknown, options?: DecideOptions): Decision {
    const d = this.decision
    try {
      return this.decideUnsafe(level, text, options)
    } catch (error) {
      // Fail open: a sampler bug must cost storage, never a lost line or a throw into the app.
      try {
        this.onError?.(error)
      } catch {}
      d.keep = true
      d.rate = 1
      d.sampleRate = 1
      d.reason = 'always'
      return d
    }
  }

  private decideUnsafe(level: unknown, text: unknown, options: DecideOptions | undefined): Decision {
    const d = this.decision
    const severity = toSeverityNumber(level)
    const name: LevelName = levelName(severity)
    const li = LEVEL_INDEX[name] as number
    const message = toMessageText(text)
    const sig: SignatureResult = options?.isFormat ? templateSignature(message) : computeSignature(message)
    d.signature = sig.signature
    d.template = sig.template
    d.level = name
    d.severity = severity

    let rate: number
    let cap = 0
    let capped: CompiledRule | undefined
    const entry = this.rules.get(sig.signature)
    // error and fatal are always kept; other always-kept levels (warn) yield to a rule naming that level.
    if (this.alwaysKeep[li] && (li >= ERROR_INDEX || entry?.byLevel?.[li] === undefined)) {
      rate = 1
      d.reason = 'always'
    } else {
      let rule = entry?.byLevel?.[li] ?? entry?.any
      if (rule !== undefined && rule.expiresAt !== Number.POSITIVE_INFINITY && this.now() > rule.expiresAt) {
        rule = entry?.any !== rule && entry?.any !== undefined ? entry.any : undefined
        if (
          rule !== undefined &&
          rule.expiresAt !== Number.POSITIVE_INFINITY &&
          this.now() > rule.expiresAt
        ) {
          rule = undefined
        }
      }
      if (rule !== undefined) {
        rate = rule.rate
        cap = rule.maxPerSecond
        capped = rule
        d.reason = 'rule'
      } else {
        const levelRate = this.levelRates[li]
        if (levelRate !== undefined) {
          // An explicit level default is the policy author's intent for every line of that level.
          rate = levelRate
          d.reason = 'level'
        } else {
          rate = this.newRate
          cap = this.newMax
          d.reason = 'new'
        }
      }
    }

    let keep: boolean
    if (rate >= 1) keep = true
    else if (!(rate > 0)) keep = false
    else {
      const traceId = options?.traceId
      const u = typeof traceId === 'string' && traceId.length > 0 ? traceThreshold(traceId) : this.random()
      keep = u <= rate
    }
    if (keep && cap > 0) {
      const now = this.now()
      let allowed: boolean
      if (capped !== undefined) {
        capped.bucket ??= createTokenBucket(cap, now)
        allowed = takeToken(capped.bucket, now)
      } else allowed = this.newBuckets.take(sig.signature, cap, now)
      if (!allowed) {
        keep = false
        d.reason = 'capped'
      }
    }
    d.keep = keep
    d.rate = rate
    d.sampleRate = rate > 0 && rate < 1 ? 1 / rate : 1
    const b = options?.bytes
    const bytes =
      typeof b === 'number' && b >= 0 && b < Number.MAX_SAFE_INTEGER
        ? b
        : message.length + LINE_OVERHEAD_BYTES
    this.stats.count(sig.signature, name, sig.template, keep, bytes)
    return d
  }
}

/**
 * Create a sampler: `decide(level, text, { traceId, isFormat, bytes })` says whether to keep a line,
 * with its signature and weight, and counts it in `stats`. Never throws.
 *
 * @example
 * const sampler = createSampler({ policy })
 * const d = sampler.decide('info', 'user %s logged in', { isFormat: true, traceId })
 * if (d.keep) log({ msg, signature: d.signature, sample_rate: d.sampleRate })
 */
export function createSampler(options?: SamplerOptions): Sampler {
  return new PolicySampler(options)
}
