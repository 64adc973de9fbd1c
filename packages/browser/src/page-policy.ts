// The page's policy check. The SDK check of core (`checkPolicy`) rebuilds the whole policy: every field
// checked, unknown keys dropped, every default filled in, which is most of its size. The page needs less:
// the sampler reads the rates, levels, caps, floor, expiries and version, and treats a missing field as
// its default, so this check validates those fields in place with the same limits (and the rule that
// error and fatal lines are never sampled) and returns the policy as it came. It is lenient only where
// the sampler and the poller do not look (names, reasons, templates, dates of record, projection); the
// policy server sends nothing else than checked, complete policies anyway. Tested against checkPolicy:
// the same verdict on the fields it checks, and the same sampling decisions for what both accept.
import {
  ContractError,
  LEVEL_NAMES,
  MAX_RULES,
  type ParseResult,
  type Policy,
  SIGNATURE_PATTERN,
} from '@logsieve/core'

type Input = { [key: string]: Input } & Input[]

/** checkPolicy's verdict on what the sampler reads, without rebuilding the policy. */
export function checkPagePolicy(input: unknown): ParseResult<Policy> {
  let field = ''
  const need = (ok: unknown, f: string) => {
    if (ok) return
    field = f
    throw f
  }
  // Absent is fine (the sampler's default); present must be a number in [min, max].
  const num = (v: unknown, f: string, max = 1, int?: boolean, min = 0) =>
    v === undefined || need(typeof v === 'number' && v >= min && v <= max && (!int || Number.isInteger(v)), f)
  const cap = (v: unknown, f: string) => v === undefined || need(typeof v === 'number' && v > 0, f)
  const level = (v: unknown, f: string) => v === undefined || need(LEVEL_NAMES.includes(v as never), f)
  const object = (v: unknown, f: string) =>
    v === undefined || need(typeof v === 'object' && v !== null && !Array.isArray(v), f)
  const list = (v: unknown, f: string, max = MAX_RULES) =>
    v === undefined || need(Array.isArray(v) && v.length <= max, f)
  // error and fatal lines are never sampled: a rate for them must be 1.
  const rate = (v: unknown, f: string, l: unknown) => {
    need(v !== undefined && (v === 1 || (l !== 'error' && l !== 'fatal')), f)
    num(v, f)
  }
  try {
    const p = input as Input
    need(input !== undefined, '')
    object(p, '')
    need(p.version !== undefined, 'version')
    num(p.version, 'version', Number.MAX_SAFE_INTEGER, true)
    num(p.refreshSeconds, 'refreshSeconds', 86_400, true, 1)
    const d = p.defaults
    object(d, 'defaults')
    object(d?.levels, 'defaults.levels')
    for (const l in d?.levels) {
      level(l, 'defaults.levels')
      rate(d.levels[l], `defaults.levels.${l}`, l)
    }
    object(d?.newPattern, 'defaults.newPattern')
    num(d?.newPattern?.rate, 'defaults.newPattern.rate')
    cap(d?.newPattern?.maxPerSecond, 'defaults.newPattern.maxPerSecond')
    list(d?.alwaysKeep, 'defaults.alwaysKeep', Number.POSITIVE_INFINITY)
    for (const [i, l] of (d?.alwaysKeep ?? []).entries()) level(l, `defaults.alwaysKeep[${i}]`)
    num(d?.floorPerMinute, 'defaults.floorPerMinute', 1000, true)
    list(p.rules, 'rules')
    for (const [i, r] of (p.rules ?? []).entries()) {
      const f = `rules[${i}]`
      need(r !== undefined, f)
      object(r, f)
      need(typeof r.signature === 'string' && SIGNATURE_PATTERN.test(r.signature), `${f}.signature`)
      level(r.level, `${f}.level`)
      rate(r.rate, `${f}.rate`, r.level)
      cap(r.maxPerSecond, `${f}.maxPerSecond`)
      const t = r.expiresAt
      need(t === undefined || (typeof t === 'string' && !Number.isNaN(Date.parse(t))), `${f}.expiresAt`)
    }
    // The one default that is not the sampler's own: without a newPattern, brand-new patterns are capped.
    const value = (
      d?.newPattern ? p : { ...p, defaults: { ...d, newPattern: { rate: 1, maxPerSecond: 20 } } }
    ) as never
    return { ok: true, value }
  } catch {
    return { ok: false, error: new ContractError('LOGSIEVE_POLICY_INVALID', 'is missing or invalid', field) }
  }
}
