// The fast stats-batch check the server runs on every POST /v1/stats: the same shape, defaults and
// limits as `parseStatsBatch` (zod), at a fraction of the cost per pattern (see bench/server.bench.ts).
import {
  array,
  type Check,
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

const batch = object({
  sdk: object({ name: str(MAX_NAME_LENGTH), version: str(64) }),
  service: name,
  environment: or(name, 'default'),
  instance: opt(str(256)),
  policyVersion: opt(nullableCount),
  window: object({ start: time, end: time }),
  patterns: array(
    object({
      signature: str(16, SIGNATURE_PATTERN),
      level: oneOf(LEVEL_NAMES),
      template: str(MAX_TEMPLATE_LENGTH),
      seen: count,
      kept: count,
      bytes: size,
      keptBytes: opt(size),
      firstSeen: opt(time),
      example: opt(str(MAX_EXAMPLE_LENGTH)),
    }),
    MAX_PATTERNS_PER_BATCH,
  ),
  overflow: opt(object({ seen: count, kept: count, bytes: size })),
})

/**
 * Validate a stats batch without zod. Accepts everything `parseStatsBatch` accepts, with the same value;
 * lenient only on datetime formats (anything `Date.parse` reads).
 */
export function checkStatsBatch(input: unknown): ParseResult<StatsBatch> {
  return runCheck(batch, input, 'LOGSIEVE_STATS_INVALID') as ParseResult<StatsBatch>
}
