// pino integration. The drop happens in `hooks.logMethod`, the only point that runs before interpolation
// and serialization and still sees the format string. Kept lines get their fields as a JSON fragment
// appended to the serialized bindings of the logger's view for the duration of the write: no mixin
// call, no extra object, no merge (that path cost more than the decision itself).
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
import type { LogFn, LogMethodHook, MixinFn, PinoLike, SievePinoOptions, StreamWriteHook } from './types.js'

const ERROR_SEVERITY = 17

interface Buffered {
  method: LogFn
  args: unknown[]
  level: number
  loggedAt: number
}

interface Integration {
  logMethod: LogMethodHook
  /** Measures kept lines (pino 9+ calls it with each serialized line) around the user's hook, if any. */
  streamWrite: StreamWriteHook
  /** The user's mixin, guarded so that its errors are reported (undefined when there was none). */
  mixin: MixinFn | undefined
}

/** pino's bindings symbol is not registered globally (`Symbol('pino.chindings')`): find it by description. */
export function findSymbol(obj: object, description: string): symbol | undefined {
  for (let o: object | null = obj; o !== null; o = Object.getPrototypeOf(o)) {
    for (const s of Object.getOwnPropertySymbols(o)) if (s.description === description) return s
  }
  return undefined
}

const VIEW = Symbol('logsieve.view')
const views = new WeakSet<object>()

/**
 * The logger's view: an object whose prototype is the logger, so it reads as the logger, with an own
 * bindings property that a kept line can extend and restore cheaply. Created on the logger's first kept
 * line (a child logger inherits its parent's VIEW property, hence the prototype check). undefined for a
 * logger that cannot take a property (frozen): its lines are then written without our fields.
 */
function viewOf(logger: PinoLike): Record<symbol, unknown> | undefined {
  const held = (logger as unknown as Record<symbol, Record<symbol, unknown> | undefined>)[VIEW]
  if (held !== undefined && Object.getPrototypeOf(held) === logger) return held
  if (!Object.isExtensible(logger)) return undefined
  const view = Object.create(logger) as Record<symbol, unknown>
  views.add(view)
  Object.defineProperty(logger, VIEW, { value: view, configurable: true, writable: true })
  return view
}

/** The logger behind a view (pino passes the view as the logger to mixins). */
const loggerOf = (logger: unknown): unknown =>
  typeof logger === 'object' && logger !== null && views.has(logger) ? Object.getPrototypeOf(logger) : logger

/**
 * Build our hook around the user's hook and mixin (either may be undefined). Shared by `sievePino` (new
 * loggers) and `attachSieve` (existing ones).
 */
export function createIntegration(
  sieve: Sieve,
  userHook: LogMethodHook | undefined,
  userMixin: MixinFn | undefined,
  options?: SievePinoOptions,
  userStreamWrite?: StreamWriteHook,
): Integration {
  const traceFields = options?.traceFields ?? true
  const scopeFields = options?.scopeFields ?? true
  const signatureField = options?.signatureField ?? true
  let flushTarget: PinoLike | undefined
  /** Set while a line we kept is being written: streamWrite then reports its size to the sampler. */
  let measuring = false
  // Resolved on the first call: every logger of one pino copy shares the symbol.
  let bindingsKey: symbol | undefined

  sieve.onFlush(() => flushLogger(flushTarget))

  // The sieve's sampler, called directly with one reused options object (no allocation per line).
  const sampler = sieve.sampler
  const decideOptions: { isFormat: boolean; traceId: string | undefined } = {
    isFormat: false,
    traceId: undefined,
  }
  /** This integration, as the owner of what it caches on scopes. */
  const owner = {}
  // The last pattern's fragment, and the last weight's: consecutive lines of one pattern (a loop, a
  // burst) reuse them instead of concatenating and formatting a number each time.
  let lastSignature = ''
  let signatureJson = ''
  let lastRate = 1
  let rateJson = ''

  /** The JSON fragment (`,"k":v…`) a kept line gains. Values are hex ids, numbers or JSON-encoded. */
  function fields(
    signature: string,
    sampleRate: number,
    ids: TraceIds | undefined,
    scope: Scope | undefined,
    loggedAt: number,
  ): string {
    let out = ''
    if (traceFields && ids !== undefined) out += `,"trace_id":"${ids.traceId}","span_id":"${ids.spanId}"`
    if (signatureField && signature !== '') {
      if (signature !== lastSignature) {
        lastSignature = signature
        signatureJson = `,"signature":"${signature}"`
      }
      out += signatureJson
    }
    if (sampleRate !== 1) {
      if (sampleRate !== lastRate) {
        lastRate = sampleRate
        rateJson = `,"sample_rate":${sampleRate}`
      }
      out += rateJson
    }
    if (scopeFields && scope !== undefined) {
      // Serialized once per scope (and again after setFields), not on every line of the request.
      const derived = scope.derived
      if (derived !== undefined && derived.owner === owner) out += derived.value
      else {
        const value = scopeJson(scope)
        scope.derived = { owner, value }
        out += value
      }
    }
    if (loggedAt !== 0) out += `,"backfilled":true,"logged_at":${loggedAt}`
    return out
  }

  /**
   * Write one line through pino with `extra` appended to the logger's bindings. The line is written
   * through the logger's view (see viewOf) so the logger itself is never written to: a store on a pino
   * root logger (a dictionary-mode object) and its restore cost more than the decision.
   */
  function write(logger: PinoLike, method: LogFn, args: unknown[], level: number, extra: string): void {
    const key = bindingsKey
    const view = key === undefined || extra === '' ? undefined : viewOf(logger)
    if (view === undefined) {
      if (userHook) userHook.call(logger, args, method, level)
      else method.apply(logger, args)
      return
    }
    const base = (logger as unknown as Record<symbol, unknown>)[key as symbol]
    view[key as symbol] = `${base}${extra}`
    // The user's hook gets the view as `this`, so its own method.apply(this, args) keeps our fields.
    if (userHook) userHook.call(view as unknown as PinoLike, args, method, level)
    else method.apply(view, args)
    view[key as symbol] = base
  }

  function replay(target: unknown, payload: unknown, signature: string): void {
    const b = payload as Buffered
    const scope = currentScope()
    const ids = otelIds() ?? scope
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
        ids,
      )
    }
    write(target as PinoLike, b.method, b.args, b.level, fields(signature, 1, ids, scope, b.loggedAt))
  }

  function logMethod(this: PinoLike, args: unknown[], method: LogFn, level: number): void {
    if (flushTarget === undefined) {
      flushTarget = this
      bindingsKey = findSymbol(this, 'pino.chindings')
    }
    // One context lookup per line: the scope serves trace ids, backfill and the scope fields.
    const scope = currentScope()
    let extra = ''
    try {
      extract(args)
      const text = scratch.text
      const isFormat = scratch.isFormat
      const ids = otelIds() ?? scope
      decideOptions.isFormat = isFormat
      decideOptions.traceId = ids?.traceId
      const d = sampler.decide(level, text, decideOptions)
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
      if (sieve.examples) takeExample(sieve, d, args, text, isFormat)
      if (severity >= ERROR_SEVERITY) scope?.backfill?.drain(onReplayError)
      if (sieve.exporting)
        exportLine(sieve, args, text, isFormat, severity, levelText, signature, sampleRate, ids)
      extra = fields(signature, sampleRate, ids, scope, 0)
      measuring = true
    } catch (error) {
      // Fail open: an SDK bug must not lose the app's line.
      sieve.report('LOGSIEVE_HOOK_ERROR', error)
    }
    write(this, method, args, level, extra)
    measuring = false
  }

  function streamWrite(line: string): string {
    const out = userStreamWrite ? userStreamWrite(line) : line
    if (measuring) {
      measuring = false
      // The length in UTF-16 code units: bytes for an ASCII line. Buffer.byteLength would be exact for any
      // line but scans it, and flattens the rope of concatenations pino built, which would cost more
      // than the rest of the kept line's overhead.
      if (typeof out === 'string') sieve.measured(out.length)
    }
    return out
  }

  function onReplayError(error: unknown): void {
    sieve.report('LOGSIEVE_BACKFILL_REPLAY', error)
  }

  const mixin: MixinFn | undefined =
    userMixin === undefined
      ? undefined
      : (mergeObject, level, logger) => {
          try {
            return userMixin(mergeObject, level, loggerOf(logger)) ?? {}
          } catch (error) {
            // The same line without the user's fields beats an exception inside the app's log call.
            sieve.report('LOGSIEVE_USER_MIXIN', error)
            return {}
          }
        }

  return { logMethod, streamWrite, mixin }
}

/** A scope's `request_id` and user fields as a JSON fragment. */
function scopeJson(scope: Scope): string {
  let out = ''
  if (scope.requestId !== undefined) out += `,"request_id":${JSON.stringify(scope.requestId)}`
  if (scope.fields !== undefined) {
    for (const key in scope.fields) {
      const value = safeJson(scope.fields[key])
      if (value !== '') out += `,${JSON.stringify(key)}:${value}`
    }
  }
  return out
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
