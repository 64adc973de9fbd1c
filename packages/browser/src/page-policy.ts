// The page's policy check. The SDK check of core (`checkPolicy`) rebuilds the whole policy: every field
// checked, unknown keys dropped, every default filled in, which is most of its size. The page needs less:
// the sampler reads the rates, levels, caps, floor, expiries and version, and treats a missing field as
// its default, so this check validates those fields in place with the same limits (and the rule that
// error and fatal lines are never sampled) and returns the policy as it came. It is lenient only where
// the sampler and the poller do not look (names, reasons, templates, dates of record, projection); the
// policy server sends nothing else than checked, complete policies anyway. Tested against checkPolicy:
// the same verdict on the fields it checks, and the same sampling decisions for what both accept.
// The checks are tables of (field, test): the field's name is both where to look and what to report.
import {
  type ContractError,
  LEVEL_NAMES,
  MAX_RULES,
  type ParseResult,
  type Policy,
  SIGNATURE_PATTERN,
} from '@logsieve/core'

// biome-ignore lint/suspicious/noExplicitAny: a policy is checked before it is trusted
type Test = (v: any, rule?: any) => boolean

/** Absent is fine (the sampler's default); present must pass. */
const opt =
  (test: Test): Test =>
  (v) =>
    v === undefined || test(v)
const object: Test = (v) => typeof v === 'object' && v !== null && !Array.isArray(v)
const int =
  (min: number, max: number): Test =>
  (v) =>
    Number.isInteger(v) && v >= min && v <= max
const unit: Test = (v) => typeof v === 'number' && v >= 0 && v <= 1
const cap = opt((v) => typeof v === 'number' && v > 0)
const level = opt((v) => LEVEL_NAMES.includes(v))
/** A rate, given the level it applies to: error and fatal lines are never sampled, so theirs must be 1. */
const rate = (v: unknown, l: unknown) => v === 1 || (l !== 'error' && l !== 'fatal' && unit(v))

/** Top-level and defaults fields, in order (an object is checked before its fields are read). */
const FIELDS: Array<[string, Test]> = [
  ['version', int(0, Number.MAX_SAFE_INTEGER)],
  ['refreshSeconds', opt(int(1, 86_400))],
  ['defaults', opt(object)],
  ['defaults.levels', opt(object)],
  ['defaults.newPattern', opt(object)],
  ['defaults.newPattern.rate', opt(unit)],
  ['defaults.newPattern.maxPerSecond', cap],
  ['defaults.alwaysKeep', opt(Array.isArray)],
  ['defaults.floorPerMinute', opt(int(0, 1000))],
  ['rules', opt((v) => Array.isArray(v) && v.length <= MAX_RULES)],
]

/** Fields of a rule ('' is the rule itself). */
const RULE: Array<[string, Test]> = [
  ['', object],
  ['.signature', (v) => typeof v === 'string' && SIGNATURE_PATTERN.test(v)],
  ['.level', level],
  ['.rate', (v, r) => rate(v, r.level)],
  ['.maxPerSecond', cap],
  ['.expiresAt', opt((v) => typeof v === 'string' && !Number.isNaN(Date.parse(v)))],
]

/** checkPolicy's verdict on what the sampler reads, without rebuilding the policy. */
export function checkPagePolicy(input: unknown): ParseResult<Policy> {
  let field = ''
  const need = (ok: boolean, f: string) => {
    field = f
    if (!ok) throw f
  }
  try {
    need(object(input), '')
    // biome-ignore lint/suspicious/noExplicitAny: checked field by field below
    const p = input as any
    for (const [f, test] of FIELDS) need(test(f.split('.').reduce((v, k) => v?.[k], p)), f)
    const d = p.defaults
    for (const l in d?.levels) need(level(l) && rate(d.levels[l], l), `defaults.levels.${l}`)
    for (const [i, l] of (d?.alwaysKeep ?? []).entries()) need(level(l), `defaults.alwaysKeep[${i}]`)
    for (const [i, r] of (p.rules ?? []).entries())
      for (const [f, test] of RULE) need(test(f ? r[f.slice(1)] : r, r), `rules[${i}]${f}`)
    // The one default that is not the sampler's own: without a newPattern, brand-new patterns are capped.
    const value = d?.newPattern ? p : { ...p, defaults: { ...d, newPattern: { rate: 1, maxPerSecond: 20 } } }
    return { ok: true, value }
  } catch {
    // A ContractError in all but its class (core's class costs the page more than these fields).
    const code = 'LOGSIEVE_POLICY_INVALID'
    const error = new Error(`${code}: ${field || 'policy'} is missing or invalid`)
    return { ok: false, error: Object.assign(error, { name: 'ContractError', code, field }) as ContractError }
  }
}
