// `checkPolicy`, the SDK-side policy check of the wire contract (contract.ts): zod-free, in its own module
// so that a bundle that imports the contract's constants without it (the browser's) leaves its checkers
// out (module-level checker construction is not tree-shaken within a module).
import {
  array,
  type Check,
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
import type { Policy } from './schema.js'
import { LEVEL_NAMES } from './severity.js'

const rate = num(0)
const level = oneOf(LEVEL_NAMES)
const name = str(MAX_NAME_LENGTH, NAME_PATTERN, 1)

const levels: Check = (v, f) => {
  if (!isObject(v)) return fail(f, 'must be an object')
  const out: Record<string, number> = {}
  for (const [k, r] of Object.entries(v)) out[level(k, f)] = rate(r, `${f}.${k}`)
  return out
}

const signature = str(16, SIGNATURE_PATTERN)

/** Merged patterns (docs/policy.md): each with 1+ members, at most MAX_PATTERN_MEMBERS over all of them. */
const patterns: Check = (v, f) => {
  const list = array(
    object({
      id: signature,
      members: (m, mf) =>
        Array.isArray(m) && m.length > 0 ? array(signature)(m, mf) : fail(mf, 'must list members'),
      template: or(str(MAX_TEMPLATE_LENGTH), ''),
      reason: or(str(1024), ''),
    }),
    MAX_POLICY_PATTERNS,
  )(v, f)
  let members = 0
  for (const p of list) members += (p.members as string[]).length
  return members <= MAX_PATTERN_MEMBERS
    ? list
    : fail(f, `must have at most ${MAX_PATTERN_MEMBERS} members over all patterns`)
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
        signature,
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
  patterns: opt(patterns),
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
