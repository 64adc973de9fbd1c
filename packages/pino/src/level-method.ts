// The level methods (`log.info`, …) that decide before calling pino's. pino builds each level method
// around `hooks.logMethod`, and that path costs more than the decision: pino collects the call's arguments
// into an array for the hook, and the hook spreads them back. So after a level's first line came through
// the hook, its method is replaced by one that makes the same decision on the call's `arguments`, read in
// place, and hands kept lines to the same kept path as the hook (integration.ts): one decision path. A kept
// line that needs nothing but pino's write is written from here (the integration's `bare`).
import type { Decision, Lane, PatternMemo } from '@logsieve/core/sdk'
import { currentScope, type Replayer, type Scope } from '@logsieve/node'
import { type Compiled, compileFormat, interpolate } from './interpolate.js'
import type { PinoSymbols } from './pino-symbols.js'
import { formatOf } from './render.js'
import type { LogFn, PinoLike } from './types.js'

/** Format strings held compiled at most (the map starts over when full; formats are mostly literals). */
const MAX_COMPILED = 512
const NOT_DIRECT = Symbol('not direct')
/** A function called with a level method's `arguments` forwarded (it reads its own `arguments`). */
type Forwarded = (this: PinoLike, ...args: unknown[]) => void

/** What a level method needs from its integration. */
export interface Lines {
  decide(a0: unknown, a1: unknown, n: number, level: number, scope: Scope | undefined): Decision | undefined
  /**
   * The decision of `lane` (Decision.lane) repeated for a call that `decide` answered with it, outside a
   * scope (`format`: that call's format string, render.ts formatOf), or undefined: decide it in full.
   */
  again(lane: Lane, format: string | undefined): Decision | undefined
  /**
   * Write a kept line of at most two arguments, read in place, when it needs nothing besides its write
   * (no fields, no measuring, example or export): true if written, else it takes the kept path.
   */
  bare(logger: PinoLike, a0: unknown, a1: unknown, n: number, level: number, d: Decision): boolean
  /** Write a kept line (`fromLevelMethod`: the call's own arguments, written as pino's method would). */
  kept(
    logger: PinoLike,
    method: LogFn,
    args: ArrayLike<unknown>,
    level: number,
    d: Decision | undefined,
    scope: Scope | undefined,
    fromLevelMethod: boolean,
  ): void
  /** Hold a dropped line of a scope for backfill. */
  dropped(
    scope: Scope,
    logger: PinoLike,
    args: ArrayLike<unknown>,
    replayer: Replayer,
    signature: string,
  ): void
  replayer(method: LogFn, level: number): Replayer
}

/** Level methods installed by promote, so they are never wrapped twice. */
const promoted = new WeakSet<object>()

/**
 * Replace the level method pino generated around the hook with our own, on the logger that owns it
 * (children without their own level inherit it). pino rebuilds level methods on every level change, and
 * the next line comes through the hook again, so a level change or a child with its own level is picked
 * up. Only pino's own generated method (pino 8–10 name it `hookWrappedLog`): one the app wrapped stays.
 */
export function promote(lines: Lines, logger: PinoLike, method: LogFn, level: number): void {
  const label = (logger as { levels?: { labels?: Record<number, string> } }).levels?.labels?.[level]
  if (typeof label !== 'string') return
  let owner: object | null = logger
  while (owner !== null && !Object.hasOwn(owner, label)) owner = Object.getPrototypeOf(owner)
  if (owner === null || !Object.isExtensible(owner)) return
  const current = (owner as Record<string, unknown>)[label]
  if (typeof current !== 'function' || current.name !== 'hookWrappedLog' || promoted.has(current)) return
  ;(owner as Record<string, unknown>)[label] = levelMethod(lines, method, level)
}

/**
 * The level method. A function that passes `arguments` anywhere makes V8 allocate it on every call,
 * dropped lines included, so the decision reads it by index and a kept (or buffered) line forwards it
 * with `apply` to a second function (a dropped child line 97 → 79 ns, a kept one 696 → 645 ns).
 */
function levelMethod(lines: Lines, method: LogFn, level: number): LogFn {
  // Handed from the method to its kept-line or buffer function, which reads them first thing.
  let pendingScope: Scope | undefined
  let pendingDecision: Decision | undefined
  // The last decided call's lane, and what makes a call the same one: its message, whether that is the
  // first or the second argument (after an object), and the number of arguments.
  let lane: Lane | undefined
  let laneText: unknown
  let laneSecond = false
  let laneCount = 0
  let laneFormat: string | undefined
  /** Hold `next` for the calls like this one: the two shapes whose message alone decides a line. */
  const arm = (next: Lane | undefined, a0: unknown, a1: unknown, n: number) => {
    lane = next
    if (next === undefined) return
    laneSecond = typeof a0 !== 'string'
    if (laneSecond && (a0 === null || typeof a0 !== 'object' || typeof a1 !== 'string')) {
      lane = undefined
      return
    }
    laneText = laneSecond ? a1 : a0
    laneCount = n
    laneFormat = formatOf(a0, a1, n)
  }
  const sieved = function (this: PinoLike): void {
    const scope = currentScope()
    // biome-ignore lint/complexity/noArguments: read in place, never materialized on a dropped line
    const n = arguments.length
    // biome-ignore lint/complexity/noArguments: as above
    const a0: unknown = arguments[0]
    // biome-ignore lint/complexity/noArguments: as above
    const a1: unknown = arguments[1]
    const same =
      lane !== undefined &&
      scope === undefined &&
      n === laneCount &&
      (laneSecond ? a1 === laneText && typeof a0 === 'object' && a0 !== null : a0 === laneText)
    let d = same ? lines.again(lane as Lane, laneFormat) : undefined
    if (d === undefined) {
      d = lines.decide(a0, a1, n, level, scope)
      // A scope's lines never take a lane, and leave the last one as it is.
      if (scope === undefined) arm(d?.lane, a0, a1, n)
    }
    if (d !== undefined && !d.keep) {
      if (scope?.backfill !== undefined) {
        pendingScope = scope
        pendingDecision = d
        // biome-ignore lint/complexity/noArguments: forwarded without an array
        bufferLine.apply(this, arguments as unknown as unknown[])
      }
      return
    }
    // Most kept lines outside a request: no arguments object, no forwarding (docs/benchmarks.md).
    if (d !== undefined && scope === undefined && n <= 2 && lines.bare(this, a0, a1, n, level, d)) return
    pendingScope = scope
    pendingDecision = d
    // biome-ignore lint/complexity/noArguments: forwarded without an array
    keptLine.apply(this, arguments as unknown as unknown[])
  }
  const replayLine = lines.replayer(method, level)
  const bufferLine: Forwarded = function (this: PinoLike): void {
    const scope = pendingScope as Scope
    const d = pendingDecision as Decision
    // Not held past this line: a scope that ended must not stay alive here.
    pendingScope = undefined
    pendingDecision = undefined
    // This call's own arguments object: nothing else holds it, so the buffer keeps it without a copy.
    // biome-ignore lint/complexity/noArguments: see above
    lines.dropped(scope, this, arguments, replayLine, d.signature)
  }
  const keptLine: Forwarded = function (this: PinoLike): void {
    const scope = pendingScope
    const d = pendingDecision
    pendingScope = undefined
    pendingDecision = undefined
    // biome-ignore lint/complexity/noArguments: no array per call (a rest parameter would make one)
    lines.kept(this, method, arguments, level, d, scope, true)
  }
  promoted.add(sieved)
  return sieved
}

/**
 * A compiled format kept on its pattern (PatternMemo), tagged as ours: a compiled format depends on the
 * format alone, so every pino integration of a process shares it (two loggers on one sieve do not take
 * turns replacing it); another kind of integration's memo is left alone.
 */
const FORMAT_MEMO = {}
interface FormatMemo {
  owner: object
  format: string
  compiled: Compiled | null
}

/**
 * Formats compiled for `interpolate`: a kept line's message formatted here (see interpolate.ts). A
 * format's compiled form is kept on its pattern, so a kept line finds it without a lookup of its own;
 * the map serves lines without one and patterns the sampler let go.
 */
export function createPreformat(): (
  logger: PinoLike,
  syms: PinoSymbols,
  format: string,
  args: ArrayLike<unknown>,
  pattern: PatternMemo | undefined,
) => string | undefined {
  const compiled = new Map<string, Compiled | null>()
  return (logger, syms, format, args, pattern) => {
    // Not with a message prefix holding a `%`: pino formats the prefix and the message together.
    if (syms.prefix !== undefined) {
      const prefix = (logger as unknown as Record<symbol, unknown>)[syms.prefix]
      if (typeof prefix === 'string' && prefix.includes('%')) return undefined
    }
    const memo = pattern?.memo as FormatMemo | undefined
    let c: Compiled | null | undefined
    // Two formats may share a pattern (one signature): the memo names its format.
    if (memo !== undefined && memo.owner === FORMAT_MEMO && memo.format === format) c = memo.compiled
    else {
      c = compiled.get(format)
      if (c === undefined) {
        if (compiled.size >= MAX_COMPILED) compiled.clear()
        c = compileFormat(format) ?? null
        compiled.set(format, c)
      }
      if (pattern !== undefined)
        pattern.memo = { owner: FORMAT_MEMO, format, compiled: c } satisfies FormatMemo
    }
    return c === null ? undefined : interpolate(c, args, typeof args[0] === 'string' ? 1 : 2)
  }
}

/**
 * Call pino for a kept line of a level method, as the app's call would have: pino's internal write
 * directly when what its level method would do is certain (directMessage), else its method with the
 * arguments spelled out for one to four of them (after `apply`, pino's formatter ran ~20 ns slower).
 * `message`: the line's message formatted here, or undefined.
 */
export function callPino(
  logger: PinoLike,
  syms: PinoSymbols,
  method: LogFn,
  args: ArrayLike<unknown>,
  level: number,
  message: string | undefined,
): void {
  const n = args.length
  const a0 = args[0]
  if (writeDirect(logger, syms, a0, args[1], n, level, message)) return
  if (message !== undefined) {
    if (typeof a0 === 'string') method.call(logger, message)
    else method.call(logger, a0, message)
  } else if (n === 1) method.call(logger, a0)
  else if (n === 2) method.call(logger, a0, args[1])
  else if (n === 3) method.call(logger, a0, args[1], args[2])
  else if (n === 4) method.call(logger, a0, args[1], args[2], args[3])
  else method.apply(logger, args as unknown[])
}

/**
 * Call pino's internal write as its level method would for this call, when what that method would do is
 * certain (directMessage): true if written.
 */
export function writeDirect(
  logger: PinoLike,
  syms: PinoSymbols,
  a0: unknown,
  a1: unknown,
  n: number,
  level: number,
  message: string | undefined,
): boolean {
  const direct = syms.write === undefined ? NOT_DIRECT : directMessage(logger, syms, a0, a1, n, message)
  // typeof, not === NOT_DIRECT: a string compared with a symbol is a generic call (a symbol message is
  // then written by pino's own method, as it would be anyway).
  if (typeof direct === 'symbol') return false
  const write = (logger as unknown as Record<symbol, (o: unknown, msg: unknown, num: number) => void>)[
    syms.write as symbol
  ] as (o: unknown, msg: unknown, num: number) => void
  write.call(logger, typeof a0 === 'string' ? null : a0, direct, level)
  return true
}

/**
 * The message pino's level method would hand its internal write for this call, when that is certain
 * without running it (tools.js `LOG` in pino 8–10): no values left to format, no HTTP request or response
 * to map, and the message prefix applied as pino applies it. NOT_DIRECT otherwise.
 */
function directMessage(
  logger: PinoLike,
  syms: PinoSymbols,
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
  if (syms.prefix !== undefined && msg !== undefined && msg !== null) {
    const prefix = (logger as unknown as Record<symbol, unknown>)[syms.prefix]
    if (typeof prefix === 'string') msg = prefix + (msg as string)
  }
  return msg
}
