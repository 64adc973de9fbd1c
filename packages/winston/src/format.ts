// winston integration: a logform format placed FIRST in the logger's format. It checks the level before
// anything else (winston runs logger formats even for disabled levels), drops by returning false, sees
// the template because it runs before format.splat(), and annotates kept lines.
import { EOL } from 'node:os'
import { format as utilFormat } from 'node:util'
import {
  BACKFILL_SAMPLE_RATE,
  type Decision,
  levelName,
  structuralMessage,
  toSeverityNumber,
  writesSampleRate,
  writesSignature,
  writesTrace,
} from '@logsieve/core/sdk'
import {
  currentScope,
  integrationOf,
  isReplaying,
  otelIds,
  type Scope,
  type Sieve,
  type SieveIntegration,
  type TraceIds,
} from '@logsieve/node'
import type { SieveFormat, SieveFormatOptions, WinstonInfo, WinstonLoggerLike } from './types.js'

const LEVEL = Symbol.for('level')
const SPLAT = Symbol.for('splat')
const MESSAGE = Symbol.for('message')
/** Marks an info the sieve already decided (a backfilled line, or the error that released them). */
const DECIDED = Symbol.for('logsieve.decided')
/** Marks an error written again after its backfilled lines: measured when it comes back. */
const HELD = Symbol.for('logsieve.held')
const ERROR_SEVERITY = 17
const NPM_LEVELS: Record<string, number> = {
  error: 0,
  warn: 1,
  info: 2,
  http: 3,
  verbose: 4,
  debug: 5,
  silly: 6,
}

/**
 * A format that samples with `sieve`. Put it first: `format.combine(sieveFormat(sieve), format.splat(),
 * format.json())`. Call `.attach(logger)` (or use `attachSieve`) to follow the logger's live level and
 * enable error-triggered backfill.
 */
export function sieveFormat(owner: Sieve, options?: SieveFormatOptions): SieveFormat {
  // The sieve's side for integrations (decide, measure, examples, export, diagnostics).
  const sieve = integrationOf(owner)
  const traceMode = options?.traceFields ?? true
  const signatureMode = options?.signatureField ?? false
  const scopeFields = options?.scopeFields ?? true
  /** The keys annotate() added to the line being kept, for measure()'s plain size. */
  const added: string[] = []
  let logger: WinstonLoggerLike | undefined
  /** The line transform last kept by a decision: measure() reports its serialized size, once. */
  let pending: WinstonInfo | undefined
  let fixedLevel = options?.level
  let levels = options?.levels ?? NPM_LEVELS

  /** Most verbose level value any destination accepts (winston filters per transport). */
  function enabled(level: string): boolean {
    const value = levels[level]
    if (value === undefined) return true
    if (logger === undefined) {
      if (fixedLevel === undefined) return true
      const max = levels[fixedLevel]
      return max === undefined || value <= max
    }
    const base = levels[logger.level]
    const transports = logger.transports
    if (transports === undefined || transports.length === 0) return base === undefined || value <= base
    for (let i = 0; i < transports.length; i++) {
      const t = transports[i]?.level
      const max = t === undefined ? base : levels[t]
      if (max === undefined || value <= max) return true
    }
    return false
  }

  /**
   * Add Logsieve's fields to a kept line, by core's rule (the same as pino's): each only when it says
   * something the line does not already say, and never over a key the line already has (the user's, or
   * OpenTelemetry's winston instrumentation's trace_id).
   */
  function annotate(
    info: WinstonInfo,
    signature: string,
    rate: number,
    sampleRate: number,
    ids: TraceIds | undefined,
    local: boolean,
    scope: Scope | undefined,
  ): void {
    added.length = 0
    if (ids !== undefined && writesTrace(traceMode, local)) {
      add(info, 'trace_id', ids.traceId)
      add(info, 'span_id', ids.spanId)
    }
    if (signature !== '' && writesSignature(signatureMode, rate, sampleRate))
      add(info, 'signature', signature)
    if (writesSampleRate(sampleRate)) add(info, 'sample_rate', sampleRate)
    if (scopeFields && scope !== undefined) {
      if (scope.requestId !== undefined) add(info, 'request_id', scope.requestId)
      if (scope.fields !== undefined) for (const key in scope.fields) add(info, key, scope.fields[key])
    }
  }

  function add(info: WinstonInfo, key: string, value: unknown): void {
    if (info[key] !== undefined) return
    info[key] = value
    added.push(key)
  }

  function replay(target: unknown, payload: unknown, signature: string, loggedAt: number): void {
    const info = payload as WinstonInfo
    info[DECIDED] = true
    sieve.backfilled(signature, info[LEVEL] ?? info.level)
    const scope = currentScope()
    const otel = otelIds()
    const ids = otel ?? scope
    // A backfilled line is its pattern's (sampled) line: it carries its signature like a sampled one.
    annotate(
      info,
      signature,
      0,
      BACKFILL_SAMPLE_RATE,
      ids,
      otel === undefined && scope?.localTrace === true,
      scope,
    )
    info.backfilled = true
    info.logged_at = loggedAt
    if (sieve.exporting) exportInfo(sieve, info, signature, BACKFILL_SAMPLE_RATE, ids)
    ;(target as WinstonLoggerLike).write(info)
  }

  function transform(info: WinstonInfo): WinstonInfo | false {
    pending = undefined
    try {
      if (info[DECIDED] === true) {
        delete info[DECIDED]
        // An error held back behind its backfilled lines is measured when it comes back, as written.
        if (info[HELD] === true) {
          delete info[HELD]
          pending = info
        }
        return info
      }
      const level = (info[LEVEL] ?? info.level) as string
      if (!enabled(level)) return false
      const message = info.message
      const splat = info[SPLAT] as unknown[] | undefined
      let text: unknown = message
      let isFormat =
        typeof message === 'string' && splat !== undefined && splat.length > 0 && message.includes('%')
      if (message === undefined || message === null || message === '' || isPlainObject(message)) {
        // `logger.info({ event: 'cart.updated', cartId })` (winston puts the object in `message`) or
        // `logger.log({ level, event })`: signed by its structure, not all as one empty message.
        const structural = structuralMessage(isPlainObject(message) ? message : withoutLevel(info))
        text = structural.text
        isFormat = structural.isFormat
      }
      // One context lookup per line: the scope serves trace ids, backfill and the scope fields.
      const scope = currentScope()
      const otel = otelIds()
      const ids = otel ?? scope
      const local = otel === undefined && scope?.localTrace === true
      const d = sieve.decide(level, text, isFormat, ids?.traceId)
      if (!d.keep) {
        const backfill = logger === undefined ? undefined : scope?.backfill
        if (backfill !== undefined) {
          const size = typeof message === 'string' ? message.length + 128 : 192
          backfill.push(logger, info, replay, d.signature, size)
        }
        return false
      }
      const signature = d.signature
      const rate = d.rate
      const sampleRate = d.sampleRate
      if (d.severity >= ERROR_SEVERITY && logger !== undefined) {
        const backfill = scope?.backfill
        if (backfill !== undefined && backfill.size > 0) {
          // Inside a transform the logger's stream is busy: writes queue behind this one, in order. So
          // hold this error back and write it again after the backfilled lines.
          backfill.drain((e) => sieve.report('LOGSIEVE_BACKFILL_REPLAY', e))
          annotate(info, signature, rate, sampleRate, ids, local, scope)
          if (sieve.exporting) exportInfo(sieve, info, signature, sampleRate, ids)
          info[DECIDED] = true
          info[HELD] = true
          logger.write(info)
          return false
        }
      }
      annotate(info, signature, rate, sampleRate, ids, local, scope)
      if (sieve.exporting) exportInfo(sieve, info, signature, sampleRate, ids)
      if (sieve.examples) takeExample(sieve, d, info)
      pending = info
      return info
    } catch (error) {
      sieve.report('LOGSIEVE_FORMAT_ERROR', error)
      return info
    }
  }

  return {
    options: {},
    transform,
    measure(info: WinstonInfo): void {
      // Only the line the sampler decided last: a line written later (a busy stream) is not measured.
      if (info !== pending) return
      pending = undefined
      const message = info[MESSAGE]
      // Transports write the message and an end of line (winston's `eol`, os.EOL by default), in UTF-8:
      // counting the bytes costs about 1% of a winston line.
      if (typeof message !== 'string') return
      const written = Buffer.byteLength(message, 'utf8') + EOL.length
      sieve.measured(written, written - addedBytes(info, message, added))
    },
    attach<L extends WinstonLoggerLike>(target: L): L {
      logger = target
      if (target.levels) levels = target.levels
      fixedLevel = undefined
      return target
    },
  }
}

function isPlainObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !(value instanceof Error) && !Array.isArray(value)
}

/** The info's own fields without `level` (which every line has): what a message-less line is signed by. */
function withoutLevel(info: WinstonInfo): object {
  const { level: _, ...rest } = info
  return rest
}

/**
 * Bytes Logsieve's fields take in a serialized line: `,"key":value` for each added key the output holds
 * as JSON (format.json(), logstash); 0 for one a text format does not print.
 */
function addedBytes(info: WinstonInfo, line: string, keys: readonly string[]): number {
  let bytes = 0
  for (const key of keys) {
    const name = JSON.stringify(key)
    if (!line.includes(`${name}:`)) continue
    const value = JSON.stringify(info[key])
    if (value !== undefined) bytes += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(value, 'utf8') + 2
  }
  return bytes
}

function render(info: WinstonInfo): string {
  const message = info.message
  const splat = info[SPLAT] as unknown[] | undefined
  if (typeof message !== 'string') return message === undefined || message === null ? '' : String(message)
  if (splat === undefined || splat.length === 0 || !message.includes('%')) return message
  return utilFormat(message, ...splat)
}

// Outside transform on purpose: a closure there would make V8 allocate a context for `info` per line.
function takeExample(sieve: SieveIntegration, d: Decision, info: WinstonInfo): void {
  sieve.example(d, () => renderExample(info))
}

function renderExample(info: WinstonInfo): string {
  // redactExample masks secret-looking keys inside the object; it handles circular references.
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(info)) out[key] = info[key]
  out.message = render(info)
  return JSON.stringify(out, circularSafe()) ?? ''
}

function circularSafe(): (key: string, value: unknown) => unknown {
  const seen = new WeakSet<object>()
  return (_k, v) => {
    if (v !== null && typeof v === 'object') {
      if (seen.has(v)) return '[Circular]'
      seen.add(v)
    }
    return typeof v === 'bigint' ? v.toString() : v
  }
}

function exportInfo(
  sieve: SieveIntegration,
  info: WinstonInfo,
  signature: string,
  sampleRate: number,
  ids: TraceIds | undefined,
): void {
  const severity = toSeverityNumber(info[LEVEL] ?? info.level)
  const attributes: Record<string, unknown> = {}
  for (const key of Object.keys(info)) {
    if (key !== 'level' && key !== 'message') attributes[key] = info[key]
  }
  attributes.signature = signature
  if (sampleRate !== 1) attributes.sample_rate = sampleRate
  if (isReplaying()) attributes.backfilled = true
  sieve.export({
    severityNumber: severity,
    severityText: levelName(severity),
    body: render(info),
    attributes,
    timestamp: Date.now(),
    ...(ids ? { traceId: ids.traceId, spanId: ids.spanId } : {}),
  })
}
