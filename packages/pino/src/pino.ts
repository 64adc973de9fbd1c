// pino integration. The drop happens in `hooks.logMethod`, the only point that runs before interpolation
// and serialization and still sees the format string; kept lines get their fields from `mixin`, which
// reads what the hook just decided (pino is synchronous, so one shared slot per integration suffices).
import { format } from 'node:util'
import { type Decision, levelName, toSeverityNumber } from '@logsieve/core'
import {
  currentScope,
  estimateArgsBytes,
  isReplaying,
  otelIds,
  type Scope,
  type Sieve,
  type TraceIds,
} from '@logsieve/node'
import type { LogFn, LogMethodHook, MixinFn, PinoLike, SievePinoOptions } from './types.js'

const ERROR_SEVERITY = 17

/** What the hook tells the mixin about the line being written. */
interface Slot {
  active: boolean
  signature: string
  sampleRate: number
  ids: TraceIds | undefined
  scope: Scope | undefined
  loggedAt: number
}

interface Buffered {
  method: LogFn
  args: unknown[]
  level: number
  loggedAt: number
}

interface Integration {
  logMethod: LogMethodHook
  mixin: MixinFn
}

/**
 * Build our hook and mixin around the user's (either may be undefined). Shared by `sievePino` (new
 * loggers) and `attachSieve` (existing ones).
 */
export function createIntegration(
  sieve: Sieve,
  userHook: LogMethodHook | undefined,
  userMixin: MixinFn | undefined,
  options?: SievePinoOptions,
): Integration {
  const traceFields = options?.traceFields ?? true
  const scopeFields = options?.scopeFields ?? true
  const signatureField = options?.signatureField ?? true
  const slot: Slot = {
    active: false,
    signature: '',
    sampleRate: 1,
    ids: undefined,
    scope: undefined,
    loggedAt: 0,
  }
  let flushTarget: PinoLike | undefined

  sieve.onFlush(() => flushLogger(flushTarget))

  function write(logger: PinoLike, method: LogFn, args: unknown[], level: number): void {
    if (userHook) userHook.call(logger, args, method, level)
    else method.apply(logger, args)
  }

  function replay(target: unknown, payload: unknown, signature: string): void {
    const b = payload as Buffered
    slot.active = true
    slot.signature = signature
    slot.sampleRate = 1
    const scope = currentScope()
    slot.scope = scope
    slot.ids = traceFields ? (otelIds() ?? scope) : undefined
    slot.loggedAt = b.loggedAt
    if (sieve.exporting) {
      extract(b.args)
      const severity = toSeverityNumber(b.level)
      exportLine(
        sieve,
        b.args,
        scratch.text,
        scratch.isFormat,
        severity,
        levelName(severity),
        signature,
        1,
        slot.ids,
      )
    }
    try {
      write(target as PinoLike, b.method, b.args, b.level)
    } finally {
      slot.active = false
    }
  }

  function logMethod(this: PinoLike, args: unknown[], method: LogFn, level: number): void {
    if (flushTarget === undefined) flushTarget = this
    // One context lookup per line: the scope serves trace ids, backfill and the mixin's scope fields.
    const scope = currentScope()
    let ids: TraceIds | undefined
    try {
      extract(args)
      const text = scratch.text
      const isFormat = scratch.isFormat
      ids = otelIds() ?? scope
      const d = sieve.decide(level, text, isFormat, ids?.traceId)
      if (!d.keep) {
        if (scope?.backfill !== undefined) {
          const payload: Buffered = { method, args, level, loggedAt: Date.now() }
          scope.backfill.push(this, payload, replay, d.signature, estimateArgsBytes(args))
        }
        return
      }
      // Copy out of the reused Decision before anything else can call decide().
      const signature = d.signature
      const sampleRate = d.sampleRate
      const severity = d.severity
      const levelText = d.level
      if (severity >= ERROR_SEVERITY) scope?.backfill?.drain(onReplayError)
      if (sieve.exporting)
        exportLine(sieve, args, text, isFormat, severity, levelText, signature, sampleRate, ids)
      if (sieve.examples) takeExample(sieve, d, args, text, isFormat)
      slot.signature = signature
      slot.sampleRate = sampleRate
    } catch (error) {
      // Fail open: an SDK bug must not lose the app's line.
      sieve.report('LOGSIEVE_HOOK_ERROR', error)
      slot.signature = ''
      slot.sampleRate = 1
    }
    slot.active = true
    slot.ids = traceFields ? ids : undefined
    slot.scope = scope
    slot.loggedAt = 0
    try {
      write(this, method, args, level)
    } finally {
      slot.active = false
    }
  }

  function onReplayError(error: unknown): void {
    sieve.report('LOGSIEVE_BACKFILL_REPLAY', error)
  }

  function mixin(mergeObject: object, level: number, logger: unknown): object {
    // pino mutates the returned object, so it must be a fresh one per line.
    let out: Record<string, unknown>
    try {
      out = userMixin ? ((userMixin(mergeObject, level, logger) ?? {}) as Record<string, unknown>) : {}
    } catch (error) {
      sieve.report('LOGSIEVE_USER_MIXIN', error)
      out = {}
    }
    if (!slot.active) return out
    const ids = slot.ids
    if (ids !== undefined) {
      out.trace_id = ids.traceId
      out.span_id = ids.spanId
    }
    if (signatureField && slot.signature !== '') out.signature = slot.signature
    if (slot.sampleRate !== 1) out.sample_rate = slot.sampleRate
    if (scopeFields) {
      const scope = slot.scope
      if (scope !== undefined) {
        if (scope.requestId !== undefined) out.request_id = scope.requestId
        if (scope.fields !== undefined) Object.assign(out, scope.fields)
      }
    }
    if (isReplaying()) {
      out.backfilled = true
      out.logged_at = slot.loggedAt
    }
    return out
  }

  return { logMethod, mixin }
}

/** Where `extract` leaves its result: a module-level scratch object, so the hot path allocates nothing. */
const scratch: { text: unknown; isFormat: boolean } = { text: undefined, isFormat: false }

/**
 * The template of a pino call: the format string when the call carries interpolation values (pino's
 * argument rules: `(msg, ...values)`, `(obj, msg, ...values)`, `(err)`, `(obj)`), else the message.
 */
function extract(args: unknown[]): void {
  const a0 = args[0]
  scratch.isFormat = false
  if (typeof a0 === 'string') {
    scratch.text = a0
    scratch.isFormat = args.length > 1 && a0.includes('%')
  } else if (a0 !== null && typeof a0 === 'object') {
    const a1 = args[1]
    if (typeof a1 === 'string') {
      scratch.text = a1
      scratch.isFormat = args.length > 2 && a1.includes('%')
    } else scratch.text = messageOf(a0)
  } else if (a0 === undefined || a0 === null) scratch.text = args[1]
  else scratch.text = a0
}

/** The message pino would take from an object-only call: `msg`, or the error's message. */
function messageOf(o: object): unknown {
  if (o instanceof Error) return o.message
  const rec = o as { msg?: unknown; err?: { message?: unknown } }
  if (rec.msg !== undefined) return rec.msg
  if (rec.err !== null && typeof rec.err === 'object') return rec.err.message
  return ''
}

function renderMessage(args: unknown[], text: unknown, isFormat: boolean): string {
  if (typeof text !== 'string') return text === undefined || text === null ? '' : String(text)
  if (!isFormat) return text
  const start = typeof args[0] === 'string' ? 1 : 2
  return format(text, ...args.slice(start))
}

// Outside logMethod on purpose: a closure there would make V8 allocate a context for `args` on every
// call, dropped lines included.
function takeExample(sieve: Sieve, d: Decision, args: unknown[], text: unknown, isFormat: boolean): void {
  sieve.example(d, () => renderExample(args, text, isFormat))
}

function renderExample(args: unknown[], text: unknown, isFormat: boolean): string {
  const msg = renderMessage(args, text, isFormat)
  const a0 = args[0]
  if (a0 === null || typeof a0 !== 'object' || a0 instanceof Error) return msg
  // redactExample masks secrets inside this JSON too (keys like password, token, cookie…).
  return `${msg} ${safeJson(a0)}`
}

function safeJson(value: unknown): string {
  const seen = new WeakSet<object>()
  try {
    return (
      JSON.stringify(value, (_k, v: unknown) => {
        if (v !== null && typeof v === 'object') {
          if (seen.has(v)) return '[Circular]'
          seen.add(v)
        }
        return typeof v === 'bigint' ? v.toString() : v
      }) ?? ''
    )
  } catch {
    return ''
  }
}

function exportLine(
  sieve: Sieve,
  args: unknown[],
  text: unknown,
  isFormat: boolean,
  severity: number,
  levelName: string,
  signature: string,
  sampleRate: number,
  ids: TraceIds | undefined,
): void {
  const attributes: Record<string, unknown> = {}
  const a0 = args[0]
  if (a0 instanceof Error) attributes.err = a0
  else if (a0 !== null && typeof a0 === 'object') Object.assign(attributes, a0)
  attributes.signature = signature
  if (sampleRate !== 1) attributes.sample_rate = sampleRate
  if (isReplaying()) attributes.backfilled = true
  sieve.export({
    severityNumber: severity,
    severityText: levelName,
    body: renderMessage(args, text, isFormat),
    attributes,
    timestamp: Date.now(),
    ...(ids ? { traceId: ids.traceId, spanId: ids.spanId } : {}),
  })
}

/** Flush a pino logger's destination, bounded in time (an idle destination may never call back). */
function flushLogger(logger: PinoLike | undefined): Promise<void> {
  return new Promise<void>((resolve) => {
    if (logger === undefined || typeof logger.flush !== 'function') return resolve()
    const timer = setTimeout(resolve, 2000)
    timer.unref()
    try {
      logger.flush(() => {
        clearTimeout(timer)
        resolve()
      })
    } catch {
      clearTimeout(timer)
      resolve()
    }
  })
}
