// Redaction of the optional example line sent with a pattern's stats: the server must never receive
// credentials or personal data, so secrets are masked before anything leaves the process.
import { MAX_EXAMPLE_LENGTH } from './contract.js'

const MASK = '[REDACTED]'
/** Input beyond this is not scanned: the example is truncated to MAX_EXAMPLE_LENGTH anyway. */
const SCAN_LIMIT = MAX_EXAMPLE_LENGTH * 2
const MAX_DEPTH = 8

/** Key names (lowercased, `-`/`_` removed) whose values are always masked. */
const SENSITIVE_WORDS = [
  'password',
  'passwd',
  'pwd',
  'token',
  'secret',
  'authorization',
  'apikey',
  'cookie',
  'session',
  'credential',
  'privatekey',
]

/** True when a key names a secret: `password`, `X-Api-Key`, `set-cookie`, `db_password`, `sessionId`. */
export function isSensitiveKey(key: string): boolean {
  const k = key.toLowerCase().replace(/[-_.\s]/g, '')
  for (const word of SENSITIVE_WORDS) if (k.includes(word)) return true
  return false
}

// Every pattern below has bounded or non-nested quantifiers: linear time on any input.
const KEY_VALUE =
  /([A-Za-z_][\w.-]{0,63})(["']?\s{0,4}[:=]\s{0,4})("(?:[^"\\\n]|\\.){0,4096}"|'[^'\n]{0,4096}'|[^\s,;&}\]"']+)/g
const BEARER = /\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/-]+=*/gi
const JWT = /\beyJ[\w-]{2,}\.[\w-]{2,}\.[\w-]*/g
const EMAIL = /[\w.+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,8}/g
const CARD = /\b\d(?:[ -]?\d){12,18}\b/g

/** Luhn checksum, so that ordinary long numbers (ids, timestamps) are not mistaken for card numbers. */
export function luhnValid(digits: string): boolean {
  let sum = 0
  let double = false
  for (let i = digits.length - 1; i >= 0; i--) {
    const c = digits.charCodeAt(i) - 48
    if (c < 0 || c > 9) continue
    let d = c
    if (double) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
    double = !double
  }
  return sum % 10 === 0
}

function redactString(text: string): string {
  let out = text.length > SCAN_LIMIT ? text.slice(0, SCAN_LIMIT) : text
  out = out.replace(BEARER, (_m, scheme: string) => `${scheme} ${MASK}`)
  out = out.replace(JWT, MASK)
  out = out.replace(KEY_VALUE, (m, key: string, sep: string, value: string) => {
    if (!isSensitiveKey(key)) return m
    const q = value[0] === '"' || value[0] === "'" ? value[0] : ''
    return `${key}${sep}${q}${MASK}${q}`
  })
  out = out.replace(EMAIL, MASK)
  out = out.replace(CARD, (m) => {
    const digits = m.replace(/[ -]/g, '')
    return digits.length >= 13 && luhnValid(digits) ? MASK : m
  })
  return out
}

/** Cut to `max` UTF-16 units without leaving half a surrogate pair at the end. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text
  let end = max - 1
  const c = text.charCodeAt(end - 1)
  if (c >= 0xd800 && c <= 0xdbff) end--
  return `${text.slice(0, end)}…`
}

/** Serialize a value to JSON with sensitive keys masked, stopping once the output is long enough. */
function redactValue(
  value: unknown,
  seen: WeakSet<object>,
  depth: number,
  budget: { left: number },
): unknown {
  if (budget.left <= 0) return undefined
  switch (typeof value) {
    case 'string':
      budget.left -= value.length
      return redactString(value)
    case 'number':
    case 'boolean':
      budget.left -= 8
      return value
    case 'bigint':
      return value.toString()
    case 'object':
      break
    default:
      return undefined // functions, symbols, undefined: JSON has no place for them
  }
  if (value === null) return null
  if (seen.has(value)) return '[Circular]'
  if (depth >= MAX_DEPTH) return '[Object]'
  seen.add(value)
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString()
  if (value instanceof Error) return { name: value.name, message: redactString(String(value.message)) }
  if (Array.isArray(value)) {
    const out: unknown[] = []
    for (const item of value) {
      if (budget.left <= 0) break
      out.push(redactValue(item, seen, depth + 1, budget) ?? null)
    }
    return out
  }
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(value)) {
    if (budget.left <= 0) break
    budget.left -= key.length + 4
    let v: unknown
    try {
      v = (value as Record<string, unknown>)[key] // getters may throw
    } catch {
      continue
    }
    out[key] = isSensitiveKey(key) ? MASK : redactValue(v, seen, depth + 1, budget)
  }
  return out
}

/**
 * Redact one example line (a string, or a log record object) for the stats batch: masks values of
 * secret-looking keys (password, token, secret, authorization, api_key, cookie, session…), bearer
 * tokens, JWTs, emails and Luhn-valid card numbers, then truncates to MAX_EXAMPLE_LENGTH.
 * Linear in the input, safe on circular objects, never throws.
 *
 * @example
 * redactExample('login alice@example.com password=hunter2') // 'login [REDACTED] password=[REDACTED]'
 */
export function redactExample(line: unknown): string {
  try {
    if (typeof line === 'string') return truncate(redactString(line), MAX_EXAMPLE_LENGTH)
    const value = redactValue(line, new WeakSet(), 0, { left: SCAN_LIMIT })
    const json = JSON.stringify(value)
    return json === undefined ? '' : truncate(json, MAX_EXAMPLE_LENGTH)
  } catch {
    return ''
  }
}
