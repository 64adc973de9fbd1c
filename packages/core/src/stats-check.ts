// The fast stats-batch check the server runs on every POST /v1/stats: the same shape, defaults and
// limits as `parseStatsBatch` (zod), at a fraction of the cost per pattern (see bench/server.bench.ts).
import {
  type Check,
  fail,
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
import { LEVEL_NAMES } from './severity.js'

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
  firstSeen: opt(repeatedTime),
  example: opt(str(MAX_EXAMPLE_LENGTH)),
})

/**
 * The patterns array: `array(pattern)` would build a field path string (`patterns[3].seen`) for every
 * field of every pattern; checking each pattern at the root and naming the path only on failure saves
 * most of the check's time on a 500-pattern batch.
 */
const patterns: Check = (v, f) => {
  if (!Array.isArray(v) || v.length > MAX_PATTERNS_PER_BATCH) {
    return fail(f, `must be an array of at most ${MAX_PATTERNS_PER_BATCH} items`)
  }
  const out = new Array<unknown>(v.length)
  for (let i = 0; i < v.length; i++) {
    try {
      out[i] = pattern(v[i], '')
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
  overflow: opt(object({ seen: count, kept: count, bytes: size })),
})

/**
 * Validate a stats batch without zod. Accepts everything `parseStatsBatch` accepts, with the same value;
 * lenient only on datetime formats (anything `Date.parse` reads).
 */
export function checkStatsBatch(input: unknown): ParseResult<StatsBatch> {
  return runCheck(batch, input, 'LOGSIEVE_STATS_INVALID') as ParseResult<StatsBatch>
}
