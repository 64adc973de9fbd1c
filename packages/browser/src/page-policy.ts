// The page's policy check. Core's `parsePolicy` (the policy's one definition) rebuilds the whole policy: every field
// checked, unknown keys dropped, every default filled in, which is most of its size. The page needs less:
// the sampler reads the rates, levels, caps, floor, expiries and version, and treats a missing field as
// its default, so this check validates those fields in place with the same limits (and the rule that
// error and fatal lines are never sampled) and returns the policy as it came. It is lenient only where
// the sampler and the poller do not look (names, reasons, templates, dates of record, projection); the
// policy server sends nothing else than checked, complete policies anyway. Tested against parsePolicy field by field
// (page-policy.test.ts): the same verdict on the fields it checks, naming the same field, the fields it does not
// check listed, and the same sampling decisions for what both accept.
// The checks follow the policy's shape, a test per field: its path is both where to look and what to report.
import {
  type ContractError,
  LEVEL_NAMES,
  MAX_RULES,
  type ParseResult,
  type Policy,
  SIGNATURE_PATTERN,
} from '@logsieve/core'

// biome-ignore lint/suspicious/noExplicitAny: a policy is checked before it is trusted
type Any = any
/** A field's test: the value, its path (to name it), and the object holding it. Throws the failing path. */
type Test = (v: Any, f: string, parent: Any) => void
/** A policy's shape: a test per field, a nested shape per nested object (absent: the sampler's default). */
interface Shape {
  [key: string]: Test | Shape
}

const need = (ok: unknown, f: string) => {
  if (!ok) throw f
}
const object = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v)
/** Absent is fine (the sampler's default); present must pass. */
const opt =
  (ok: (v: Any) => unknown): Test =>
  (v, f) =>
    need(v === undefined || ok(v), f)
const int = (min: number, max: number) => (v: Any) => Number.isInteger(v) && v >= min && v <= max
const unit = (v: Any) => typeof v === 'number' && v >= 0 && v <= 1
const cap = opt((v) => typeof v === 'number' && v > 0)
const level = opt((v) => LEVEL_NAMES.includes(v))
/** A rate, given the level it applies to: error and fatal lines are never sampled, so theirs must be 1. */
const rate = (v: unknown, f: string, l: unknown) =>
  need(v === 1 || (l !== 'error' && l !== 'fatal' && unit(v)), f)
/** An array of at most `max` items, each passing `item`. */
const list =
  (item: Test, max = Number.POSITIVE_INFINITY): Test =>
  (v, f) => {
    opt((v) => Array.isArray(v) && v.length <= max)(v, f, 0)
    v?.forEach((x: unknown, i: number) => {
      item(x, `${f}[${i}]`, 0)
    })
  }

/** Check `v` against `shape`, in key order (an object before its fields). */
const walk = (v: Any, shape: Shape, f: string) => {
  opt(object)(v, f, 0)
  for (const k in shape) {
    const test = shape[k] as Test | Shape
    const field = f ? `${f}.${k}` : k
    typeof test === 'function' ? test(v?.[k], field, v) : walk(v?.[k], test, field)
  }
}

const signature: Test = (v, f) => need(typeof v === 'string' && SIGNATURE_PATTERN.test(v), f)
const RULE: Shape = {
  signature,
  level,
  rate: (v, f, r) => rate(v, f, r.level),
  maxPerSecond: cap,
  expiresAt: opt((v) => typeof v === 'string' && !Number.isNaN(Date.parse(v))),
}

/** What the sampler and the poller read. */
const POLICY: Shape = {
  version: (v, f) => need(int(0, Number.MAX_SAFE_INTEGER)(v), f),
  refreshSeconds: opt(int(1, 86_400)),
  defaults: {
    levels: (v, f) => {
      opt(object)(v, f, 0)
      for (const l in v) {
        level(l, `${f}.${l}`, 0)
        rate(v[l], `${f}.${l}`, l)
      }
    },
    newPattern: { rate: opt(unit), maxPerSecond: cap },
    alwaysKeep: list(level),
    floorPerMinute: opt(int(0, 1000)),
  },
  rules: list((r, f) => {
    need(object(r), f)
    walk(r, RULE, f)
  }, MAX_RULES),
  // Merged patterns: bounded here by the rules' limit (the server's are tighter).
  patterns: list((p, f) => {
    need(object(p), f)
    walk(p, { id: signature, members: list(signature, MAX_RULES) }, f)
  }, MAX_RULES),
}

/** parsePolicy's verdict on what the sampler reads, without rebuilding the policy. */
export function checkPagePolicy(input: unknown): ParseResult<Policy> {
  try {
    need(object(input), '')
    walk(input, POLICY, '')
    const p = input as Policy
    const d = p.defaults
    // The one default that is not the sampler's own: without a newPattern, brand-new patterns are capped.
    const value = d?.newPattern ? p : { ...p, defaults: { ...d, newPattern: { rate: 1, maxPerSecond: 20 } } }
    return { ok: true, value }
  } catch (thrown) {
    // A ContractError in all but its class (core's class costs the page more than these fields).
    const code = 'LOGSIEVE_POLICY_INVALID'
    const field = typeof thrown === 'string' ? thrown : ''
    const error = new Error(`${code}: ${field || 'policy'} is missing or invalid`)
    return { ok: false, error: Object.assign(error, { name: 'ContractError', code, field }) as ContractError }
  }
}
