// A service's settings and pins (CLI and dashboard → server, PUT /v1/services/:service/settings, POST
// …/pins): their one definition. The server, the dashboard and the CLI validate with `parseSettings` and
// `parsePin`, and /openapi.json shows `settingsDefinition.json` and `pinDefinition.json`.
import {
  array,
  type Infer,
  type InferIn,
  nullable,
  num,
  object,
  opt,
  or,
  type ParseResult,
  record,
  runCheck,
  str,
  time,
  union,
} from './check.js'
import { ALWAYS_KEEP } from './contract.js'
import { levelField, signatureField } from './policy-contract.js'

// Numbers past 1e15 (a petabyte a day, $1e15 per GB) would make projections infinite: a policy
// generated from them could never be valid.
const HUGE = 1e15
const positive = num({ above: 0, max: HUGE })
const nonNegative = num({ min: 0, max: HUGE })

export const budgetDefinition = union([
  object({ bytesPerDay: positive }),
  object({ eventsPerSecond: positive }),
  /** Target reduction of bytes, 0.9 = keep 10%. */
  object({ reduction: num({ min: 0, below: 1 }) }),
])

export const settingsDefinition = object({
  budget: opt(nullable(budgetDefinition)),
  /** Every pattern keeps at least this many lines per minute (coverage floor). */
  floorPerMinute: or(nonNegative, 1),
  alwaysKeep: or(array(levelField), [...ALWAYS_KEEP]),
  /** Relative weight of a level in water-filling: a debug pattern with weight 0.25 gets a quarter of the cap. */
  levelWeights: or(record(levelField, positive), { trace: 0.25, debug: 0.5 }),
  /** Dollars per GB ingested, for cost projections. */
  costPerGB: or(nonNegative, 0.5),
  /**
   * Patterns first seen within this many seconds of the service's first stats are its baseline, not
   * "new": a service's first policy boosts nothing just because everything is new to the server.
   */
  baselineSeconds: or(num({ min: 0, max: HUGE, int: true }), 120),
  /** How long a new or anomalous pattern is kept at rate 1. */
  boostSeconds: or(num({ above: 0, max: HUGE, int: true }), 900),
  /** Cap on kept lines per second per instance for boosted patterns. */
  boostMaxPerSecond: or(positive, 20),
  refreshSeconds: or(num({ min: 1, max: 86_400, int: true }), 30),
})

export const pinDefinition = object({
  signature: signatureField,
  level: opt(levelField),
  rate: num({ min: 0, max: 1 }),
  reason: str({ min: 1, max: 1024 }),
  expiresAt: opt(nullable(time)),
})

export type Budget = Infer<typeof budgetDefinition>
export type Settings = Infer<typeof settingsDefinition>
export type SettingsInput = InferIn<typeof settingsDefinition>
export type Pin = Infer<typeof pinDefinition>

export function parseSettings(input: unknown): ParseResult<Settings> {
  return runCheck(settingsDefinition, input, 'LOGSIEVE_SETTINGS_INVALID')
}

export function parsePin(input: unknown): ParseResult<Pin> {
  return runCheck(pinDefinition, input, 'LOGSIEVE_PIN_INVALID')
}
