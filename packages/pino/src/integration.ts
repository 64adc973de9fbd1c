// The pino integration: one decision path for every line, whether it comes through `hooks.logMethod` or
// through a level method that replaced pino's (level-method.ts). The drop happens before interpolation
// and serialization; a kept line gets its fields (fields.ts) appended to the logger's own serialized
// bindings while pino writes it, so pino's write path, its mixin, streams and diagnostics channel all see
// the logger itself.
import {
  BACKFILL_SAMPLE_RATE,
  type Decision,
  type Lane,
  levelName,
  toSeverityNumber,
} from '@logsieve/core/sdk'
import {
  currentScope,
  estimateArgsBytes,
  integrationOf,
  otelIds,
  type Replayer,
  type Scope,
  type Sieve,
  type TraceIds,
} from '@logsieve/node'
import { exportLine, takeExample } from './export.js'
import { createFields, fragmentClashes, withoutKeys } from './fields.js'
import { callPino, createPreformat, type Lines, promote, writeDirect } from './level-method.js'
import { createMeasure } from './measure.js'
import { type PinoSymbols, pinoSymbols } from './pino-symbols.js'
import { formatOf, isTemplate, templateOf } from './render.js'
import type { LogFn, LogMethodHook, PinoLike, SievePinoOptions, StreamWriteHook } from './types.js'
import { fieldsViewOf, viewOf } from './view.js'

const ERROR_SEVERITY = 17
/** How a kept line reaches pino: the user's hook, pino's method with an array, or as a level method would. */
const USER_HOOK = 0
const APPLY = 1
const DIRECT = 2
type Mode = typeof USER_HOOK | typeof APPLY | typeof DIRECT

interface Integration {
  logMethod: LogMethodHook
  /**
   * The streamWrite hook to install: the user's, wrapped to measure kept lines (pino 9+ calls it with each
   * serialized line). undefined without a user hook: ours is then installed only around measured lines.
   */
  streamWrite: StreamWriteHook | undefined
}

/** Mixins wrapped by an integration (see guardMixin), never wrapped twice. */
const guarded = new WeakSet<object>()

/** Build our hook around the user's (`userHook`, `userStreamWrite` may be undefined). */
export function createIntegration(
  owner: Sieve,
  userHook: LogMethodHook | undefined,
  options?: SievePinoOptions,
  userStreamWrite?: StreamWriteHook,
): Integration {
  // The sieve's side for integrations (sampler, examples, export, diagnostics).
  const sieve = integrationOf(owner)
  const sampler = sieve.sampler
  // Fixed for the sieve's life; read once instead of on every kept line.
  const examples = sieve.examples
  const exporting = sieve.exporting
  const fields = createFields(options)
  const measure = createMeasure(sampler, userStreamWrite)
  const preformat = createPreformat()
  /** One reused options object: no allocation per decision. */
  const decideOptions: { isFormat: boolean; traceId: string | undefined } = {
    isFormat: false,
    traceId: undefined,
  }
  // Resolved on the first line: every logger of one pino copy shares the symbols.
  let syms: PinoSymbols | undefined
  let flushTarget: PinoLike | undefined
  // The line being written with fields: its logger, the bindings before them and the fields (mixin guard).
  let activeLogger: object | undefined
  let activeBase = ''
  let activeExtra = ''
  /** Fields handed from our hook to the method wrapper a user hook calls (read and cleared there). */
  let hookExtra = ''
  /** The active OpenTelemetry span's ids read by decide(), for the kept line's fields: one lookup a line. */
  let decidedOtel: TraceIds | undefined
  /** The format string decide() found (formatOf), for the kept line's message: one scan for `%` a line. */
  let decidedFormat: string | undefined
  const fieldMethods = new WeakMap<LogFn, LogFn>()
  // The last bindings with fields appended, reused while the logger and the fields stay the same (a
  // loop, a burst). From its second use it is a flat copy: a concatenation is a rope, which a real
  // destination walks on every line (a child line to /dev/null cost 60–100 ns more).
  let joinedBase = ''
  let joinedExtra = ''
  let joined = ''
  let joinedFlat = false

  sieve.onFlush(() => flushLogger(flushTarget))

  function decide(
    a0: unknown,
    a1: unknown,
    n: number,
    level: number,
    scope: Scope | undefined,
  ): Decision | undefined {
    try {
      const otel = otelIds()
      decidedOtel = otel
      const ids = otel ?? scope
      const format = formatOf(a0, a1, n)
      decidedFormat = format
      decideOptions.isFormat = isTemplate(a0, a1, format)
      decideOptions.traceId = ids?.traceId
      return sampler.decide(level, templateOf(a0, a1), decideOptions)
    } catch (error) {
      // Fail open: an SDK bug must not lose the app's line.
      sieve.report('LOGSIEVE_HOOK_ERROR', error)
      return undefined
    }
  }

  function again(lane: Lane, format: string | undefined): Decision | undefined {
    try {
      const d = sampler.again(lane)
      // What decide() leaves for a kept line's write (kept, bare).
      if (d?.keep === true) {
        decidedOtel = otelIds()
        decidedFormat = format
      }
      return d
    } catch (error) {
      sieve.report('LOGSIEVE_HOOK_ERROR', error)
      return undefined
    }
  }

  /**
   * Whether a kept line outside a scope needs nothing besides its write: no field to add (the fragment's
   * own rule, fields.mayAdd), nothing to measure, keep as an example or export, no OpenTelemetry span.
   */
  function writeOnly(d: Decision, otel: TraceIds | undefined): boolean {
    // A line to measure needs the kept path (which arms the hook), unless pino never calls it (pino 8).
    if ((d.measure && measure.hears) || examples || exporting || syms?.write === undefined) return false
    return otel === undefined && !fields.mayAdd(d.rate, d.sampleRate, undefined, undefined, 0)
  }

  /**
   * A level method's kept line without a format to fill in that needs nothing besides its write, written
   * straight away. The caller checked there is no scope.
   */
  function bare(logger: PinoLike, a0: unknown, a1: unknown, n: number, level: number, d: Decision): boolean {
    if (decidedFormat !== undefined || !writeOnly(d, decidedOtel)) return false
    return writeDirect(
      (viewOf(logger) as PinoLike | undefined) ?? logger,
      syms as PinoSymbols,
      a0,
      a1,
      n,
      level,
      undefined,
    )
  }

  /** The kept path, for the hook and the level methods alike: bookkeeping, fields, then the write. */
  function kept(
    logger: PinoLike,
    method: LogFn,
    args: ArrayLike<unknown>,
    level: number,
    d: Decision | undefined,
    scope: Scope | undefined,
    fromLevelMethod: boolean,
  ): void {
    let extra = ''
    let message: string | undefined
    // The OpenTelemetry ids this line's decide() read, taken before anything here can log a nested line.
    const otel = decidedOtel
    const format = decidedFormat
    decidedOtel = undefined
    decidedFormat = undefined
    // Formatted here and needing nothing else: written as bare() writes a line without values.
    let direct = false
    if (d !== undefined) {
      try {
        const a0 = args[0]
        if (fromLevelMethod && format !== undefined) {
          message = preformat(logger, syms as PinoSymbols, format, args, d.pattern)
          direct = message !== undefined && scope === undefined && writeOnly(d, otel)
        }
        if (!direct) extra = keptFields(logger, d, scope, args, a0, otel)
      } catch (error) {
        sieve.report('LOGSIEVE_HOOK_ERROR', error)
      }
    }
    // Outside the guard above: an error of pino's own write reaches the app, as it would without Logsieve.
    if (direct) {
      const target = (viewOf(logger) as PinoLike | undefined) ?? logger
      if (writeDirect(target, syms as PinoSymbols, args[0], args[1], args.length, level, message)) return
    }
    emit(logger, method, args, level, extra, fromLevelMethod ? DIRECT : userHook ? USER_HOOK : APPLY, message)
  }

  /** What a kept line needs besides its write (example, backfill, export), and the fields it gains. */
  function keptFields(
    logger: PinoLike,
    d: Decision,
    scope: Scope | undefined,
    args: ArrayLike<unknown>,
    a0: unknown,
    otel: TraceIds | undefined,
  ): string {
    // Copied out of the reused Decision before a backfill replay or a nested line can change it.
    const signature = d.signature
    const rate = d.rate
    const sampleRate = d.sampleRate
    const severity = d.severity
    const label = d.level
    const measured = d.measure
    // Backfill first: the lines it writes must not take the measurement chosen for this one.
    if (severity >= ERROR_SEVERITY) scope?.backfill?.drain(onReplayError)
    measure.on = measured && measure.hears
    if (examples) takeExample(sieve, d, args)
    const ids = otel ?? scope
    if (exporting) exportLine(sieve, args, severity, label, signature, sampleRate, ids)
    const local = otel === undefined && scope?.localTrace === true
    const extra = fields.fragment(signature, rate, sampleRate, ids, local, scope, 0)
    return extra === '' ? extra : fields.dedupe(extra, a0, bindingsOf(logger))
  }

  /**
   * Write one line through pino, with `extra` appended to the logger's serialized bindings for the
   * duration of pino's write: on the logger's view when pino cannot tell it from the logger (view.ts),
   * else on the logger itself, restored right after.
   */
  function emit(
    logger: PinoLike,
    method: LogFn,
    args: ArrayLike<unknown>,
    level: number,
    extra: string,
    mode: Mode,
    message: string | undefined,
  ): void {
    if (mode === USER_HOOK) {
      // The user's hook sees the logger as it is; the fields go on only inside the method it calls.
      const hook = userHook as LogMethodHook
      const armed = extra === '' ? measure.arm(logger, '') : undefined
      hookExtra = extra
      try {
        hook.call(logger, args as unknown[], extra === '' ? method : fieldMethod(method), level)
      } finally {
        // Also when the hook did not call the method: nothing is left armed for another line.
        hookExtra = ''
        measure.disarm(armed)
      }
      return
    }
    if (extra === '' && mode === DIRECT) {
      // Nothing to add: through the logger's view when it has one (its bindings are the logger's own).
      send((viewOf(logger) as PinoLike | undefined) ?? logger, method, args, level, mode, message, '')
      return
    }
    const key = syms?.bindings
    const rec = logger as unknown as Record<symbol, unknown>
    const before = key === undefined ? undefined : rec[key]
    // pino loggers own their bindings; anything else is written as it is.
    if (typeof before !== 'string') {
      send(logger, method, args, level, mode, message, '')
      return
    }
    const view = extra !== '' ? viewOf(logger) : undefined
    if (view !== undefined) {
      const target = fieldsViewOf(view)
      target[key as symbol] = join(before, extra)
      try {
        send(target as unknown as PinoLike, method, args, level, mode, message, extra)
      } finally {
        target[key as symbol] = before
      }
      return
    }
    if (extra === '' || !Object.hasOwn(logger, key as symbol)) {
      send(logger, method, args, level, mode, message, '')
      return
    }
    // Nested on the same logger (a line logged by its own mixin): the bindings without the outer fields.
    const base = activeLogger === logger ? activeBase : before
    const prevLogger = activeLogger
    const prevBase = activeBase
    const prevExtra = activeExtra
    try {
      rec[key as symbol] = join(base, extra)
    } catch {
      // A frozen logger: the line is written without our fields.
      send(logger, method, args, level, mode, message, '')
      return
    }
    activeLogger = logger
    activeBase = base
    activeExtra = extra
    try {
      send(logger, method, args, level, mode, message, extra)
    } finally {
      rec[key as symbol] = before
      activeLogger = prevLogger
      activeBase = prevBase
      activeExtra = prevExtra
    }
  }

  /** Call pino (`target`: the logger or its view), measuring the line when it was chosen. */
  function send(
    target: PinoLike,
    method: LogFn,
    args: ArrayLike<unknown>,
    level: number,
    mode: Mode,
    message: string | undefined,
    extra: string,
  ): void {
    if (!measure.on) {
      // Not measured: nothing to arm, nor to disarm if pino throws.
      if (mode === DIRECT) callPino(target, syms as PinoSymbols, method, args, level, message)
      else method.apply(target, args as unknown[])
      return
    }
    const armed = measure.arm(target, extra)
    try {
      if (mode === DIRECT) callPino(target, syms as PinoSymbols, method, args, level, message)
      else method.apply(target, args as unknown[])
      measure.written()
    } finally {
      measure.disarm(armed)
    }
  }

  /** `method` with our fields on its logger while it runs: what a user hook gets to call. */
  function fieldMethod(method: LogFn): LogFn {
    let wrapped = fieldMethods.get(method)
    if (wrapped === undefined) {
      wrapped = function (this: PinoLike, ...args: unknown[]): void {
        const extra = hookExtra
        hookExtra = ''
        emit(this, method, args, 0, extra, APPLY, undefined)
      }
      // A hook that looks at the method it is handed sees pino's name and arity.
      Object.defineProperties(wrapped, { name: { value: method.name }, length: { value: method.length } })
      fieldMethods.set(method, wrapped)
    }
    return wrapped
  }

  /** `base + extra`, the same string while both stay the same (see joinedFlat). */
  function join(base: string, extra: string): string {
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
    return joined
  }

  function bindingsOf(logger: PinoLike): unknown {
    const key = syms?.bindings
    return key === undefined ? undefined : (logger as unknown as Record<symbol, unknown>)[key]
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
    const logger = target as PinoLike
    sieve.backfilled(signature, level)
    const scope = currentScope()
    const otel = otelIds()
    const ids = otel ?? scope
    if (exporting) {
      const severity = toSeverityNumber(level)
      exportLine(sieve, args, severity, levelName(severity), signature, BACKFILL_SAMPLE_RATE, ids)
    }
    const local = otel === undefined && scope?.localTrace === true
    // A dropped line's pattern was sampled (rate below 1).
    const extra = fields.fragment(signature, 0, BACKFILL_SAMPLE_RATE, ids, local, scope, loggedAt)
    emit(
      logger,
      method,
      args,
      level,
      fields.dedupe(extra, args[0], bindingsOf(logger)),
      userHook ? USER_HOOK : APPLY,
      undefined,
    )
  }

  /** The replayer of one level method's lines (one per method, not per dropped line). */
  function replayer(method: LogFn, level: number): Replayer {
    return (target, payload, signature, loggedAt) =>
      replay(target, method, payload as ArrayLike<unknown>, level, signature, loggedAt)
  }

  function dropped(
    scope: Scope,
    logger: PinoLike,
    args: ArrayLike<unknown>,
    replay: Replayer,
    signature: string,
  ): void {
    scope.backfill?.push(logger, args, replay, signature, estimateArgsBytes(args))
  }

  const lines: Lines = { decide, again, bare, kept, dropped, replayer }

  /**
   * Wrap the logger's mixin (the user's, or one OpenTelemetry's pino instrumentation added around it):
   * a field the mixin writes itself is left out of ours for that line. pino reads the bindings after the
   * mixin ran, so the guard replaces them for the line being written.
   */
  function guardMixin(logger: PinoLike): void {
    const key = syms?.mixin
    const bindings = syms?.bindings
    if (key === undefined || bindings === undefined) return
    let owner: object | null = logger
    while (owner !== null && !Object.hasOwn(owner, key)) owner = Object.getPrototypeOf(owner)
    if (owner === null) return
    const inner = (owner as Record<symbol, unknown>)[key]
    if (typeof inner !== 'function' || guarded.has(inner) || !Object.isExtensible(owner)) return
    const guard = function (this: unknown, obj: object, num: number, lg: unknown): unknown {
      const out: unknown = inner.call(this, obj, num, lg)
      if (lg === activeLogger && activeExtra !== '' && out !== null && typeof out === 'object') {
        const clash = fragmentClashes(activeExtra, Object.keys(out))
        if (clash !== undefined) {
          const extra = withoutKeys(activeExtra, clash)
          ;(lg as Record<symbol, unknown>)[bindings] = `${activeBase}${extra}`
          measure.refields(extra)
        }
      }
      return out
    }
    guarded.add(guard)
    ;(owner as Record<symbol, unknown>)[key] = guard
  }

  function logMethod(this: PinoLike, args: unknown[], method: LogFn, level: number): void {
    if (syms === undefined) {
      syms = pinoSymbols(this)
      flushTarget = this
    }
    try {
      guardMixin(this)
    } catch (error) {
      sieve.report('LOGSIEVE_HOOK_ERROR', error)
    }
    const scope = currentScope()
    const d = decide(args[0], args[1], args.length, level, scope)
    if (d !== undefined && !d.keep) {
      // A copy: a user hook may hold on to its array.
      if (scope?.backfill !== undefined)
        dropped(scope, this, args.slice(), replayer(method, level), d.signature)
    } else kept(this, method, args, level, d, scope, false)
    // With a user hook nothing is replaced: the hook must see every line.
    if (userHook !== undefined) return
    try {
      promote(lines, this, method, level)
    } catch (error) {
      sieve.report('LOGSIEVE_HOOK_ERROR', error)
    }
  }

  function onReplayError(error: unknown): void {
    sieve.report('LOGSIEVE_BACKFILL_REPLAY', error)
  }

  return { logMethod, streamWrite: measure.streamWrite }
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
