// pino integration. The drop happens in `hooks.logMethod`, the only point that runs before interpolation
// and serialization and still sees the format string. Kept lines get their fields as a JSON fragment
// appended to the serialized bindings of the logger's view for the duration of the write: no mixin
// call, no extra object, no merge (that path cost more than the decision itself).
import { format } from 'node:util'
import { BACKFILL_SAMPLE_RATE, type Decision, levelName, toSeverityNumber } from '@logsieve/core'
import {
  currentScope,
  estimateArgsBytes,
  isReplaying,
  otelIds,
  type Replayer,
  type Scope,
  type Sieve,
  type TraceIds,
} from '@logsieve/node'
import { type Compiled, compileFormat, interpolate } from './interpolate.js'
import type { LogFn, LogMethodHook, MixinFn, PinoLike, SievePinoOptions, StreamWriteHook } from './types.js'

const ERROR_SEVERITY = 17
const NOT_DIRECT = Symbol('not direct')
/** A function called with a level method's `arguments` forwarded (it reads its own `arguments`). */
type Forwarded = (this: PinoLike, ...args: unknown[]) => void
/**
 * Kept lines measured: the first MEASURE_FIRST, the first of each pattern and level, and then one in
 * MEASURE_EVERY (a power of two). A measured line costs ~500 ns more on a child logger (the hook, and a
 * pass over the serialized line); one in 8 cost ~70 ns a kept line on average, one in 32 costs ~18.
 */
const MEASURE_FIRST = 256
const MEASURE_EVERY = 32
/** Format strings held compiled at most (the map starts over when full; formats are mostly literals). */
const MAX_COMPILED = 512

interface Integration {
  logMethod: LogMethodHook
  /**
   * The streamWrite hook to install: the user's, wrapped to measure kept lines (pino 9+ calls it with each
   * serialized line). undefined without a user hook: ours is then installed only around measured lines.
   */
  streamWrite: StreamWriteHook | undefined
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

/** pino's hooks object on a logger (registered globally by pino). */
export const HOOKS = Symbol.for('pino.hooks')

const VIEW = Symbol('logsieve.view')
/** On a view: the logger it is the view of. */
const OWNER = Symbol('logsieve.viewOwner')
const views = new WeakSet<object>()
/** Level methods installed by promote, so they are never wrapped twice. */
const promoted = new WeakSet<object>()

/**
 * The logger's view: an object whose prototype is the logger, so it reads as the logger, with an own
 * bindings property that a kept line can extend and restore cheaply. Created on the logger's first kept
 * line (a child logger inherits its parent's VIEW property, hence the prototype check). undefined for a
 * logger that cannot take a property (frozen): its lines are then written without our fields.
 */
function viewOf(logger: PinoLike): Record<symbol, unknown> | undefined {
  const held = (logger as unknown as Record<symbol, Record<symbol, unknown> | undefined>)[VIEW]
  // The view names its logger (a property load, where Object.getPrototypeOf cost ~15 ns a line).
  if (held !== undefined && held[OWNER] === logger) return held
  if (!Object.isExtensible(logger)) return undefined
  const view = Object.create(logger) as Record<symbol, unknown>
  view[OWNER] = logger
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
  /**
   * Which kept lines are measured: the first MEASURE_FIRST, a pattern's first, then one in MEASURE_EVERY
   * at random (a counter could alias with a loop's period). The others count at their pattern's mean
   * measured size. Measuring every line cost about as much as the decision.
   */
  let measureDraw = 0x1e3779b9
  let measuredFirst = 0
  // Resolved on the first call: every logger of one pino copy shares the symbols.
  let bindingsKey: symbol | undefined
  let prefixKey: symbol | undefined
  let writeKey: symbol | undefined
  /** Format strings compiled for interpolate (null: pino formats them). */
  const compiledFormats = new Map<string, Compiled | null>()
  /** Handed from a level method to its kept-line or buffer function (read first thing there). */
  let pendingScope: Scope | undefined
  let pendingDecision: Decision | undefined
  let pendingSignature = ''
  /** The trace ids of the line being decided (see decideLine). */
  let lineIds: TraceIds | undefined

  sieve.onFlush(() => flushLogger(flushTarget))

  // The sieve's sampler, called directly with one reused options object (no allocation per line).
  const sampler = sieve.sampler
  // Fixed for the sieve's life; read once instead of on every kept line.
  const examples = sieve.examples
  const exporting = sieve.exporting
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
  // The last bindings with fields appended, reused while the logger and the fields stay the same (a loop,
  // a burst of one pattern). A new concatenation per line was a young string stored into the long-lived
  // view, which V8 must record for the next scavenge: ~23 ns a kept line on a child logger. Only for
  // lines whose fragment is the cached signature fragment itself (compared by reference in practice).
  let joinedBase: unknown
  let joinedExtra = ''
  let joined = ''
  /**
   * Whether `joined` is a flat copy. From its second line on, the joined string is copied flat once: a
   * concatenation is a rope, and a real destination walks the rope on every line it writes (the extra
   * node cost a child line to /dev/null 60-100 ns; a flat string of the same length cost nothing).
   */
  let joinedFlat = false

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
  function write(
    logger: PinoLike,
    method: LogFn,
    args: ArrayLike<unknown>,
    level: number,
    extra: string,
  ): void {
    const key = bindingsKey
    const view = key === undefined || extra === '' ? undefined : viewOf(logger)
    // With a user hook nothing is promoted: `args` is then always the hook's own array.
    const list = args as unknown[]
    if (view === undefined) {
      if (userHook) userHook.call(logger, list, method, level)
      else method.apply(logger, list)
      return
    }
    const base = (logger as unknown as Record<symbol, unknown>)[key as symbol]
    view[key as symbol] = `${base}${extra}`
    // The user's hook gets the view as `this`, so its own method.apply(this, args) keeps our fields.
    if (userHook) userHook.call(view as unknown as PinoLike, list, method, level)
    else method.apply(view, list)
    view[key as symbol] = base
  }

  /** Write one backfilled line: `args` are the dropped call's arguments, `method` and `level` its method's. */
  function replay(
    target: unknown,
    method: LogFn,
    args: ArrayLike<unknown>,
    level: number,
    signature: string,
    loggedAt: number,
  ): void {
    const scope = currentScope()
    const ids = otelIds() ?? scope
    if (exporting) {
      extract(args[0], args[1], args.length)
      const severity = toSeverityNumber(level)
      exportLine(
        sieve,
        args,
        scratch.text,
        scratch.isFormat,
        severity,
        levelName(severity),
        signature,
        BACKFILL_SAMPLE_RATE,
        ids,
      )
    }
    const extra = fields(signature, BACKFILL_SAMPLE_RATE, ids, scope, loggedAt)
    write(target as PinoLike, method, args, level, extra)
  }

  /** The replayer of one level method's lines (one per method, not per dropped line). */
  function replayerOf(method: LogFn, level: number): Replayer {
    return (target, payload, signature, loggedAt) =>
      replay(target, method, payload as ArrayLike<unknown>, level, signature, loggedAt)
  }

  /**
   * The decision for one call, from its first two arguments and their count (so that a caller holding
   * `arguments` need not pass it on). Leaves the line's trace ids in `lineIds` for keptFields.
   */
  function decideLine(
    a0: unknown,
    a1: unknown,
    n: number,
    level: number,
    scope: Scope | undefined,
  ): Decision {
    extract(a0, a1, n)
    const ids = otelIds() ?? scope
    lineIds = ids
    decideOptions.isFormat = scratch.isFormat
    decideOptions.traceId = ids?.traceId
    return sampler.decide(level, scratch.text, decideOptions)
  }

  /** What a kept line needs besides its write (example, backfill, export), and the fields it gains. */
  function keptFields(d: Decision, scope: Scope | undefined, args: ArrayLike<unknown>): string {
    // Copy out of the reused Decision before anything else can call decide().
    const signature = d.signature
    const sampleRate = d.sampleRate
    const severity = d.severity
    const ids = lineIds
    // Which lines to measure is chosen first: sizeUnknown() reads the decision just made.
    if (measuredFirst < MEASURE_FIRST) {
      measuredFirst++
      measuring = true
    } else if (sampler.sizeUnknown()) measuring = true
    else {
      // An LCG kept within small integers (no heap number per step); its high bits choose.
      measureDraw = (Math.imul(measureDraw, 1103515245) + 12345) & 0x3fffffff
      measuring = ((measureDraw >> 20) & (MEASURE_EVERY - 1)) === 0
    }
    if (examples) takeExample(sieve, d, args, scratch.text, scratch.isFormat)
    if (severity >= ERROR_SEVERITY) scope?.backfill?.drain(onReplayError)
    if (exporting)
      exportLine(sieve, args, scratch.text, scratch.isFormat, severity, d.level, signature, sampleRate, ids)
    return fields(signature, sampleRate, ids, scope, 0)
  }

  /** The hook path: decide one line and write it if kept. */
  function handle(logger: PinoLike, args: unknown[], method: LogFn, level: number): void {
    if (flushTarget === undefined) {
      flushTarget = logger
      bindingsKey = findSymbol(logger, 'pino.chindings')
      prefixKey = findSymbol(logger, 'pino.msgPrefix')
      // pino's internal write (proto.js `[writeSym]`), which its level method calls last; only if it is one.
      const write = findSymbol(logger, 'pino.write')
      if (
        write !== undefined &&
        typeof (logger as unknown as Record<symbol, unknown>)[write] === 'function'
      ) {
        writeKey = write
      }
    }
    // One context lookup per line: the scope serves trace ids, backfill and the scope fields.
    const scope = currentScope()
    let extra = ''
    try {
      const d = decideLine(args[0], args[1], args.length, level, scope)
      if (!d.keep) {
        // A copy: a user hook may hold on to its array.
        if (scope?.backfill !== undefined)
          buffer(scope, logger, args.slice(), replayerOf(method, level), d.signature)
        return
      }
      extra = keptFields(d, scope, args)
    } catch (error) {
      // Fail open: an SDK bug must not lose the app's line.
      sieve.report('LOGSIEVE_HOOK_ERROR', error)
    }
    const armed = measuring ? armMeasure(logger) : undefined
    write(logger, method, args, level, extra)
    if (armed !== undefined) armed.streamWrite = undefined
    measuring = false
  }

  /**
   * A level method that decides before calling pino's own: installed in place of the method pino built
   * around our hook (see promote). The same steps as `handle`, but `arguments` stays in this frame and goes
   * on to pino without an array: the hook's argument arrays and frames cost more than the decision itself.
   *
   * The decision reads `arguments` by index only; a kept (or buffered) line forwards it with `apply` to a
   * second function that does the rest. A function that passes `arguments` anywhere makes V8 allocate it on
   * every call, dropped lines included: split, a dropped line in a process that also keeps lines went
   * from 97 to 79 ns, and a kept child line from 696 to 645 ns (constant message, no-op stream).
   */
  function levelMethod(method: LogFn, level: number): LogFn {
    const sieved = function (this: PinoLike): void {
      const scope = currentScope()
      let d: Decision | undefined
      try {
        // biome-ignore lint/complexity/noArguments: read in place, never materialized on a dropped line
        d = decideLine(arguments[0], arguments[1], arguments.length, level, scope)
      } catch (error) {
        sieve.report('LOGSIEVE_HOOK_ERROR', error)
      }
      if (d !== undefined && !d.keep) {
        if (scope?.backfill !== undefined) {
          pendingScope = scope
          pendingSignature = d.signature
          // biome-ignore lint/complexity/noArguments: forwarded without an array
          bufferLine.apply(this, arguments as unknown as unknown[])
        }
        return
      }
      pendingScope = scope
      pendingDecision = d
      // biome-ignore lint/complexity/noArguments: forwarded without an array
      keptLine.apply(this, arguments as unknown as unknown[])
    }
    const replayLine = replayerOf(method, level)
    const bufferLine: Forwarded = function (this: PinoLike): void {
      const scope = pendingScope as Scope
      // Not held past this line: a scope that ended must not stay alive in the integration.
      pendingScope = undefined
      // This call's own arguments object: nothing else holds it, so the buffer keeps it without a copy.
      // biome-ignore lint/complexity/noArguments: see above
      buffer(scope, this, arguments, replayLine, pendingSignature)
    }
    const keptLine: Forwarded = function (this: PinoLike): void {
      // biome-ignore lint/complexity/noArguments: no array per call (a rest parameter would make one)
      const args = arguments as unknown as unknown[]
      const scope = pendingScope
      const d = pendingDecision
      pendingScope = undefined
      pendingDecision = undefined
      let extra = ''
      let message: string | undefined
      if (d !== undefined) {
        try {
          // Before keptFields: a backfill replay in it decides other lines (and reuses scratch).
          if (scratch.isFormat) message = formatted(this, scratch.text as string, args)
          extra = keptFields(d, scope, args)
        } catch (error) {
          sieve.report('LOGSIEVE_HOOK_ERROR', error)
        }
      }
      const armed = measuring ? armMeasure(this) : undefined
      // Through the view even without fields: pino's reads of a logger's properties are faster through
      // an object that has it as its prototype (V8 keeps prototypes in fast mode).
      const key = bindingsKey
      const view = key === undefined ? undefined : viewOf(this)
      if (view === undefined || key === undefined) method.apply(this, args)
      else {
        const base = (this as unknown as Record<symbol, unknown>)[key]
        if (extra === '') view[key] = base
        else if (extra !== signatureJson) {
          // Trace, scope or weight fields make a new fragment per line: comparing it with the last one
          // would flatten both strings, which costs more than the concatenation.
          view[key] = `${base}${extra}`
        } else {
          if (base !== joinedBase || extra !== joinedExtra) {
            joinedBase = base
            joinedExtra = extra
            joined = `${base}${extra}`
            joinedFlat = false
          } else if (!joinedFlat) {
            // join copies into one sequential string; flattening the rope in place (Number(s)) did not help.
            joined = [base, extra].join('')
            joinedFlat = true
          }
          view[key] = joined
        }
        // pino's own call shape for the usual argument counts: its rest array then has the same shape
        // as when the app calls it directly (after apply, quick-format-unescaped ran ~20 ns slower).
        const n = args.length
        const a0 = args[0]
        // What pino's level method would do for this call, done here when certain (see directMessage):
        // no rest array, no second look at the message, one frame less.
        const direct = writeKey === undefined ? NOT_DIRECT : directMessage(this, a0, args[1], n, message)
        if (direct !== NOT_DIRECT) {
          const writeLine = view[writeKey as symbol] as (o: unknown, msg: unknown, num: number) => void
          writeLine.call(view, typeof a0 === 'string' ? null : a0, direct, level)
        } else if (message !== undefined) {
          if (typeof a0 === 'string') method.call(view, message)
          else method.call(view, a0, message)
        } else if (n === 1) method.call(view, a0)
        else if (n === 2) method.call(view, a0, args[1])
        else if (n === 3) method.call(view, a0, args[1], args[2])
        else if (n === 4) method.call(view, a0, args[1], args[2], args[3])
        else method.apply(view, args)
        view[key] = base
      }
      if (armed !== undefined) armed.streamWrite = undefined
      measuring = false
    }
    promoted.add(sieved)
    return sieved
  }

  /**
   * The message pino's level method would hand its internal write for this call, when that is certain
   * without running it (see tools.js `LOG` in pino 8–10): a call without values left to format, no HTTP
   * request or response to map, and the message prefix applied as pino applies it. NOT_DIRECT otherwise.
   */
  function directMessage(
    logger: PinoLike,
    a0: unknown,
    a1: unknown,
    n: number,
    message: string | undefined,
  ): unknown {
    let msg: unknown
    if (typeof a0 === 'string') {
      if (n === 1) msg = a0
      else if (message !== undefined) msg = message
      else return NOT_DIRECT
    } else if (a0 !== null && typeof a0 === 'object') {
      const o = a0 as { method?: unknown; headers?: unknown; socket?: unknown; setHeader?: unknown }
      if ((o.method && o.headers && o.socket) || typeof o.setHeader === 'function') return NOT_DIRECT
      if (n <= 2) msg = a1
      else if (message !== undefined) msg = message
      else return NOT_DIRECT
    } else return NOT_DIRECT
    if (prefixKey !== undefined && msg !== undefined && msg !== null) {
      const prefix = (logger as unknown as Record<symbol, unknown>)[prefixKey]
      if (typeof prefix === 'string') msg = prefix + (msg as string)
    }
    return msg
  }

  /**
   * The message of a kept line with values, formatted here (see interpolate.ts), or undefined for pino to
   * format. Not with a message prefix holding a `%`: pino formats the prefix and the message together.
   */
  function formatted(logger: PinoLike, format: string, args: ArrayLike<unknown>): string | undefined {
    if (prefixKey !== undefined) {
      const prefix = (logger as unknown as Record<symbol, unknown>)[prefixKey]
      if (typeof prefix === 'string' && prefix.includes('%')) return undefined
    }
    let compiled = compiledFormats.get(format)
    if (compiled === undefined) {
      if (compiledFormats.size >= MAX_COMPILED) compiledFormats.clear()
      compiled = compileFormat(format) ?? null
      compiledFormats.set(format, compiled)
    }
    return compiled === null ? undefined : interpolate(compiled, args, typeof args[0] === 'string' ? 1 : 2)
  }

  function buffer(
    scope: Scope,
    logger: PinoLike,
    args: ArrayLike<unknown>,
    replayer: Replayer,
    signature: string,
  ): void {
    scope.backfill?.push(logger, args, replayer, signature, estimateArgsBytes(args))
  }

  /**
   * After a line came through the hook, replace the level method pino generated around it with our own
   * (on the logger that owns it: children without their own level inherit it). pino rebuilds level
   * methods on every level change (`setLevel`), and the first line after it comes through the hook again,
   * so a level change or a child with its own level is picked up. With a user hook nothing is replaced:
   * the hook must see every line.
   */
  function promote(logger: PinoLike, method: LogFn, level: number): void {
    if (userHook !== undefined) return
    const label = (logger as { levels?: { labels?: Record<number, string> } }).levels?.labels?.[level]
    if (typeof label !== 'string') return
    let owner: object | null = logger
    while (owner !== null && !Object.hasOwn(owner, label)) owner = Object.getPrototypeOf(owner)
    if (owner === null || !Object.isExtensible(owner)) return
    const current = (owner as Record<string, unknown>)[label]
    // Only pino's own generated method (pino 8–10 name it so); a method the app wrapped stays as it is.
    if (typeof current !== 'function' || current.name !== 'hookWrappedLog' || promoted.has(current)) return
    ;(owner as Record<string, unknown>)[label] = levelMethod(method, level)
  }

  function logMethod(this: PinoLike, args: unknown[], method: LogFn, level: number): void {
    handle(this, args, method, level)
    try {
      promote(this, method, level)
    } catch (error) {
      sieve.report('LOGSIEVE_HOOK_ERROR', error)
    }
  }

  /**
   * Install our streamWrite hook for the line about to be written, when it is to be measured. pino calls a
   * streamWrite hook on every line it writes (about 40 ns a kept line), so without a hook of the user's
   * ours is there only around measured lines; with one, it stays installed (theirs must see every line).
   * Returns the hooks object to clear afterwards.
   */
  function armMeasure(logger: PinoLike): { streamWrite?: StreamWriteHook } | undefined {
    if (userStreamWrite !== undefined) return undefined
    const hooks = (logger as unknown as Record<symbol, { streamWrite?: StreamWriteHook } | undefined>)[HOOKS]
    if (typeof hooks !== 'object' || hooks === null) return undefined
    hooks.streamWrite = streamWrite
    return hooks
  }

  function streamWrite(line: string): string {
    const out = userStreamWrite ? userStreamWrite(line) : line
    if (measuring) {
      measuring = false
      // UTF-8 bytes, exact for any text. It scans the line (and flattens the rope of concatenations pino
      // built, which a real destination does anyway), affordable on the one kept line in 8 measured.
      if (typeof out === 'string') sieve.measured(Buffer.byteLength(out, 'utf8'))
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

  return { logMethod, streamWrite: userStreamWrite === undefined ? undefined : streamWrite, mixin }
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
function extract(a0: unknown, a1: unknown, n: number): void {
  scratch.isFormat = false
  if (typeof a0 === 'string') {
    scratch.text = a0
    scratch.isFormat = n > 1 && a0.includes('%')
  } else if (a0 !== null && typeof a0 === 'object') {
    if (typeof a1 === 'string') {
      scratch.text = a1
      scratch.isFormat = n > 2 && a1.includes('%')
    } else scratch.text = messageOf(a0)
  } else if (a0 === undefined || a0 === null) scratch.text = a1
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

function renderMessage(args: ArrayLike<unknown>, text: unknown, isFormat: boolean): string {
  if (typeof text !== 'string') return text === undefined || text === null ? '' : String(text)
  if (!isFormat) return text
  const start = typeof args[0] === 'string' ? 1 : 2
  return format(text, ...Array.prototype.slice.call(args, start))
}

// Outside logMethod on purpose: a closure there would make V8 allocate a context for `args` on every
// call, dropped lines included.
function takeExample(
  sieve: Sieve,
  d: Decision,
  args: ArrayLike<unknown>,
  text: unknown,
  isFormat: boolean,
): void {
  sieve.example(d, () => renderExample(args, text, isFormat))
}

function renderExample(args: ArrayLike<unknown>, text: unknown, isFormat: boolean): string {
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
  args: ArrayLike<unknown>,
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
