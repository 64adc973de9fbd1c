// The fast stats-batch check the server runs on every POST /v1/stats: the same shape, defaults and
// limits as `parseStatsBatch` (zod), at a fraction of the cost per pattern (see bench/server.bench.ts).
import {
  type Check,
  fail,
  isObject,
  num,
  object,
  oneOf,
  opt,
  or,
  type ParseResult,
  runCheck,
  str,
  time,
} from './check.js'
import {
  MAX_EXAMPLE_LENGTH,
  MAX_NAME_LENGTH,
  MAX_PATTERNS_PER_BATCH,
  MAX_TEMPLATE_LENGTH,
  NAME_PATTERN,
  SIGNATURE_PATTERN,
} from './contract.js'
import type { StatsBatch } from './schema.js'
import { LEVEL_NAMES, type LevelName } from './severity.js'

const count = num(0, Number.MAX_SAFE_INTEGER, true)
const size = num(0, Number.MAX_VALUE)
const name = str(MAX_NAME_LENGTH, NAME_PATTERN, 1)
const nullableCount: Check<number | null> = (v, f) => (v === null ? null : count(v, f))

// One SDK's batch repeats a handful of firstSeen strings: parse each distinct one once, not per pattern.
let lastTime = ''
const repeatedTime: Check<string> = (v, f) => {
  if (v !== lastTime) lastTime = time(v, f)
  return lastTime
}

const pattern = object({
  signature: str(16, SIGNATURE_PATTERN),
  level: oneOf(LEVEL_NAMES),
  template: str(MAX_TEMPLATE_LENGTH),
  seen: count,
  kept: count,
  bytes: size,
  keptBytes: opt(size),
  plainBytes: opt(size),
  firstSeen: opt(repeatedTime),
  example: opt(str(MAX_EXAMPLE_LENGTH)),
})

const isCount = (v: unknown): v is number =>
  typeof v === 'number' && v >= 0 && v <= Number.MAX_SAFE_INTEGER && Number.isInteger(v)
const isSize = (v: unknown): v is number => typeof v === 'number' && v >= 0 && v <= Number.MAX_VALUE
const isText = (v: unknown, max: number): v is string => typeof v === 'string' && v.length <= max

/** 16 lowercase hex digits, without a regular expression (it runs for every pattern of every batch). */
function isSignature(v: unknown): v is string {
  if (typeof v !== 'string' || v.length !== 16) return false
  for (let i = 0; i < 16; i++) {
    const c = v.charCodeAt(i)
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false
  }
  return true
}

/**
 * One pattern, the common case: every field valid. Returns undefined at the first doubt, and `pattern`
 * (the combinators) then gives the value or the exact error; both accept the same inputs.
 */
function validPattern(v: unknown): StatsBatch['patterns'][number] | undefined {
  if (!isObject(v)) return undefined
  const { signature, level, template, seen, kept, bytes, keptBytes, plainBytes, firstSeen, example } = v
  if (!isSignature(signature) || !LEVEL_NAMES.includes(level as LevelName)) return undefined
  if (!isText(template, MAX_TEMPLATE_LENGTH) || !isCount(seen) || !isCount(kept) || !isSize(bytes)) {
    return undefined
  }
  if (keptBytes !== undefined && !isSize(keptBytes)) return undefined
  if (plainBytes !== undefined && !isSize(plainBytes)) return undefined
  if (example !== undefined && !isText(example, MAX_EXAMPLE_LENGTH)) return undefined
  if (firstSeen !== undefined && firstSeen !== lastTime) return undefined
  const out: StatsBatch['patterns'][number] = {
    signature,
    level: level as LevelName,
    template,
    seen,
    kept,
    bytes,
  }
  if (keptBytes !== undefined) out.keptBytes = keptBytes
  if (plainBytes !== undefined) out.plainBytes = plainBytes
  if (firstSeen !== undefined) out.firstSeen = firstSeen
  if (example !== undefined) out.example = example
  return out
}

/**
 * The patterns array: `array(pattern)` would build a field path string (`patterns[3].seen`) for every
 * field of every pattern; checking each pattern at the root, with a fast path for valid ones, and naming
 * the path only on failure saves most of the check's time on a 500-pattern batch.
 */
const patterns: Check = (v, f) => {
  if (!Array.isArray(v) || v.length > MAX_PATTERNS_PER_BATCH) {
    return fail(f, `must be an array of at most ${MAX_PATTERNS_PER_BATCH} items`)
  }
  const out = new Array<unknown>(v.length)
  for (let i = 0; i < v.length; i++) {
    try {
      out[i] = validPattern(v[i]) ?? pattern(v[i], '')
    } catch (e) {
      const { field, message } = e as { field?: string; message: string }
      return fail(field ? `${f}[${i}].${field}` : `${f}[${i}]`, message)
    }
  }
  return out
}

const batch = object({
  sdk: object({ name: str(MAX_NAME_LENGTH), version: str(64) }),
  service: name,
  environment: or(name, 'default'),
  instance: opt(str(256)),
  policyVersion: opt(nullableCount),
  window: object({ start: time, end: time }),
  patterns,
  overflow: opt(object({ seen: count, kept: count, bytes: size, plainBytes: opt(size) })),
})

/**
 * Validate a stats batch without zod. Accepts everything `parseStatsBatch` accepts, with the same value;
 * lenient only on datetime formats (anything `Date.parse` reads).
 */
export function checkStatsBatch(input: unknown): ParseResult<StatsBatch> {
  return runCheck(batch, input, 'LOGSIEVE_STATS_INVALID') as ParseResult<StatsBatch>
}
