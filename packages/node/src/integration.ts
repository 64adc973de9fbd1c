// The integration side of a sieve: what logger integrations (@logsieve/pino, @logsieve/winston, the Express
// and Next.js helpers, your own) use, kept off the Sieve object users see. They reach it with
// `integrationOf(sieve)`.
import {
  type DecideOptions,
  type Decision,
  levelName,
  patternKey,
  redactExample,
  type Sampler,
  type StatsTable,
  toSeverityNumber,
} from '@logsieve/core/sdk'
import { BackfillBuffer, type BackfillPool } from './backfill.js'
import { createScope, type Scope, type ScopeInit } from './context.js'
import type { ExportRecord, OtlpSink, Sieve, SieveIntegration } from './types.js'

/** A registry symbol: the ESM and CommonJS builds of this package find each other's sieves' side. */
const INTEGRATION = Symbol.for('logsieve.integration.v1')

/**
 * The integration side of a sieve from `createSieve`, for logger integrations.
 *
 * @example
 * const { decide, report } = integrationOf(sieve)
 */
export function integrationOf(sieve: Sieve): SieveIntegration {
  const found = (sieve as unknown as Record<symbol, SieveIntegration | undefined>)[INTEGRATION]
  if (!found) throw new TypeError('LOGSIEVE_CONFIG: expected a sieve made by createSieve() of @logsieve/node')
  return found
}

/** Give `sieve` its integration side (not enumerable: logging or spreading a sieve does not show it). */
export function joinIntegration(sieve: Sieve, integration: SieveIntegration): Sieve {
  Object.defineProperty(sieve, INTEGRATION, { value: integration })
  return sieve
}

/** Examples are taken once per pattern per window; this caps the "already has one" set in a flood. */
const MAX_EXAMPLE_KEYS = 4096

export interface IntegrationParts {
  sampler: Sampler
  /** The sampler's stats table (backfilled lines are counted into its rows). */
  stats: StatsTable
  pool: BackfillPool | undefined
  /** The `examples` option. */
  examples: boolean
  /** Patterns with an example in this window (the sieve clears it when a window is sent). */
  examplesTaken: Set<string>
  otlp: OtlpSink | undefined
  report: (code: string, error: unknown) => void
  flushHooks: Array<() => unknown>
}

export function createIntegration(parts: IntegrationParts): SieveIntegration {
  const { sampler, stats, pool, examples, examplesTaken, otlp, report, flushHooks } = parts
  // One options object reused: the hot path allocates nothing here.
  const decideOptions: DecideOptions = {}
  return {
    sampler,
    decide(level: unknown, text: unknown, isFormat: boolean, traceId?: string): Decision {
      decideOptions.isFormat = isFormat
      decideOptions.traceId = traceId
      return sampler.decide(level, text, decideOptions)
    },
    measured(writtenBytes: number, plainBytes?: number): void {
      sampler.measured(writtenBytes, plainBytes)
    },
    backfilled(signature: string, level: unknown): void {
      stats.backfilled(signature, levelName(toSeverityNumber(level)))
    },
    openScope(init?: ScopeInit): Scope {
      const scope = createScope(init)
      if (pool) scope.backfill = new BackfillBuffer(pool)
      return scope
    },
    closeScope(scope: Scope): void {
      scope.backfill?.close()
    },
    examples,
    example(decision: Decision, line: () => string): void {
      if (!examples) return
      const key = patternKey(decision.signature, decision.level)
      if (examplesTaken.has(key) || examplesTaken.size >= MAX_EXAMPLE_KEYS) return
      examplesTaken.add(key)
      try {
        sampler.stats.setExample(decision.signature, decision.level, redactExample(line()))
      } catch (error) {
        report('LOGSIEVE_EXAMPLE', error)
      }
    },
    exporting: otlp !== undefined,
    export(record: ExportRecord): void {
      if (!otlp) return
      try {
        otlp.emit(record)
      } catch (error) {
        report('LOGSIEVE_OTLP_EMIT', error)
      }
    },
    report,
    onFlush(fn) {
      flushHooks.push(fn)
    },
  }
}
