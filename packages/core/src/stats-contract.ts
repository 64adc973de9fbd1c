// The stats batch (SDK → server, POST /v1/stats): its one definition. The server validates every batch
// with `parseStatsBatch` and /openapi.json shows `statsBatchDefinition.json`; SDKs build batches with
// `toStatsBatch` (stats-table.ts) and the browser's page stats table, tested against this.
import {
  array,
  type Infer,
  type InferIn,
  nullable,
  object,
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
} from './contract.js'
import { countField, levelField, nameField, signatureField, sizeField } from './policy-contract.js'

export const patternStatsDefinition = object({
  signature: signatureField,
  level: levelField,
  template: str({ max: MAX_TEMPLATE_LENGTH }),
  /** Lines seen in the window. */
  seen: countField,
  /** Lines kept (emitted) in the window. */
  kept: countField,
  /**
   * Written bytes of all seen lines, Logsieve's fields included (kept: measured; dropped: estimated from
   * kept lines, as if kept).
   */
  bytes: sizeField,
  /** Written bytes of the kept lines. */
  keptBytes: opt(sizeField),
  /** Bytes of all seen lines as the plain logger would write them, without Logsieve's fields. Missing: `bytes`. */
  plainBytes: opt(sizeField),
  /**
   * Dropped lines written after all by backfill (an error in their request): counted in `seen`, not in
   * `kept`. The generator budgets them: the share of a pattern's dropped lines that come back this way.
   */
  backfilled: opt(countField),
  firstSeen: opt(time),
  /** One redacted example line. */
  example: opt(str({ max: MAX_EXAMPLE_LENGTH })),
})

export const statsBatchDefinition = object({
  sdk: object({ name: str({ max: MAX_NAME_LENGTH }), version: str({ max: 64 }) }),
  service: nameField,
  environment: or(nameField, 'default'),
  instance: opt(str({ max: 256 })),
  policyVersion: opt(nullable(countField)),
  window: object({ start: time, end: time }),
  patterns: array(patternStatsDefinition, { max: MAX_PATTERNS_PER_BATCH }),
  overflow: opt(object({ seen: countField, kept: countField, bytes: sizeField, plainBytes: opt(sizeField) })),
})

export type PatternStats = Infer<typeof patternStatsDefinition>
export type StatsBatch = Infer<typeof statsBatchDefinition>
export type StatsBatchInput = InferIn<typeof statsBatchDefinition>

export function parseStatsBatch(input: unknown): ParseResult<StatsBatch> {
  return runCheck(statsBatchDefinition, input, 'LOGSIEVE_STATS_INVALID')
}
