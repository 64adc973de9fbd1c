// winston integration: a logform format placed FIRST in the logger's format. It checks the level before
// anything else (winston runs logger formats even for disabled levels), drops by returning false, sees
// the template because it runs before format.splat(), and annotates kept lines.
import { EOL } from 'node:os'
import { format as utilFormat } from 'node:util'
import { BACKFILL_SAMPLE_RATE, type Decision, levelName, toSeverityNumber } from '@logsieve/core/sdk'
import { currentScope, isReplaying, otelIds, type Scope, type Sieve, type TraceIds } from '@logsieve/node'
import type { SieveFormat, SieveFormatOptions, WinstonInfo, WinstonLoggerLike } from './types.js'

const LEVEL = Symbol.for('level')
const SPLAT = Symbol.for('splat')
const MESSAGE = Symbol.for('message')
/** Marks an info the sieve already decided (a backfilled line, or the error that released them). */
const DECIDED = Symbol.for('logsieve.decided')
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
export function sieveFormat(sieve: Sieve, options?: SieveFormatOptions): SieveFormat {
  const traceFields = options?.traceFields ?? true
  const scopeFields = options?.scopeFields ?? true
  let logger: WinstonLoggerLike | undefined
  /** Set when transform just kept a line by a decision: measure() then reports its serialized size. */
  let pending = false
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

  function annotate(
    info: WinstonInfo,
    signature: string,
    sampleRate: number,
    ids: TraceIds | undefined,
    scope: Scope | undefined,
  ): void {
    if (traceFields && ids !== undefined) {
      info.trace_id = ids.traceId
      info.span_id = ids.spanId
    }
    if (signature !== '') info.signature = signature
    if (sampleRate !== 1) info.sample_rate = sampleRate
    if (scopeFields) {
      if (scope?.requestId !== undefined) info.request_id = scope.requestId
      if (scope?.fields !== undefined) {
        for (const key in scope.fields) if (info[key] === undefined) info[key] = scope.fields[key]
      }
    }
  }

  function replay(target: unknown, payload: unknown, signature: string, loggedAt: number): void {
    const info = payload as WinstonInfo
    info[DECIDED] = true
    const scope = currentScope()
    const ids = otelIds() ?? scope
    annotate(info, signature, BACKFILL_SAMPLE_RATE, ids, scope)
    info.backfilled = true
    info.logged_at = loggedAt
    if (sieve.exporting) exportInfo(sieve, info, signature, BACKFILL_SAMPLE_RATE, ids)
    ;(target as WinstonLoggerLike).write(info)
  }

  function transform(info: WinstonInfo): WinstonInfo | false {
    pending = false
    try {
      if (info[DECIDED] === true) {
        delete info[DECIDED]
        return info
      }
      const level = (info[LEVEL] ?? info.level) as string
      if (!enabled(level)) return false
      const message = info.message
      const splat = info[SPLAT] as unknown[] | undefined
      const isFormat =
        typeof message === 'string' && splat !== undefined && splat.length > 0 && message.includes('%')
      // One context lookup per line: the scope serves trace ids, backfill and the scope fields.
      const scope = currentScope()
      const ids = otelIds() ?? scope
      const d = sieve.decide(level, message, isFormat, ids?.traceId)
      if (!d.keep) {
        const backfill = logger === undefined ? undefined : scope?.backfill
        if (backfill !== undefined) {
          const size = typeof message === 'string' ? message.length + 128 : 192
          backfill.push(logger, info, replay, d.signature, size)
        }
        return false
      }
      const signature = d.signature
      const sampleRate = d.sampleRate
      if (d.severity >= ERROR_SEVERITY && logger !== undefined) {
        const backfill = scope?.backfill
        if (backfill !== undefined && backfill.size > 0) {
          // Inside a transform the logger's stream is busy: writes queue behind this one, in order. So
          // hold this error back and write it again after the backfilled lines.
          backfill.drain((e) => sieve.report('LOGSIEVE_BACKFILL_REPLAY', e))
          annotate(info, signature, sampleRate, ids, scope)
          if (sieve.exporting) exportInfo(sieve, info, signature, sampleRate, ids)
          info[DECIDED] = true
          logger.write(info)
          return false
        }
      }
      annotate(info, signature, sampleRate, ids, scope)
      if (sieve.exporting) exportInfo(sieve, info, signature, sampleRate, ids)
      if (sieve.examples) takeExample(sieve, d, info)
      pending = true
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
      if (!pending) return
      pending = false
      const message = info[MESSAGE]
      // Transports write the message and an end of line (winston's `eol`, os.EOL by default), in UTF-8:
      // counting the bytes costs about 1% of a winston line.
      if (typeof message === 'string') sieve.measured(Buffer.byteLength(message, 'utf8') + EOL.length)
    },
    attach<L extends WinstonLoggerLike>(target: L): L {
      logger = target
      if (target.levels) levels = target.levels
      fixedLevel = undefined
      return target
    },
  }
}

function render(info: WinstonInfo): string {
  const message = info.message
  const splat = info[SPLAT] as unknown[] | undefined
  if (typeof message !== 'string') return message === undefined || message === null ? '' : String(message)
  if (splat === undefined || splat.length === 0 || !message.includes('%')) return message
  return utilFormat(message, ...splat)
}

// Outside transform on purpose: a closure there would make V8 allocate a context for `info` per line.
function takeExample(sieve: Sieve, d: Decision, info: WinstonInfo): void {
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
  sieve: Sieve,
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
