// The Next.js integration's process-wide state, on a globalThis symbol: Next.js evaluates the app's
// logger module once per bundle layer (instrumentation, route handlers, server components) and again
// on every edit under `next dev`, and each copy of this package must find the same sieve. Type imports
// only: the edge build of instrumentation.ts reaches this file.
import type { Scope } from '../context.js'
import type { Sieve } from '../types.js'

/** What `onRequestError` logs through: a pino-style `error(mergeObject, message)`. pino loggers fit. */
export interface ErrorLogger {
  error(obj: object, msg: string): void
}

export interface NextState {
  /** The process's sieve, and what it was made from (its options, minus functions, as JSON). */
  current?: { sieve: Sieve; key: string; logger: ErrorLogger; hasServer: boolean }
  /** Scopes of route handlers that threw, kept open until `onRequestError` logs the error in them. */
  readonly thrown: WeakMap<object, Scope>
  /** Signals already hooked (once per process, whichever sieve is current when they come). */
  signalsHooked: boolean
}

const SLOT = Symbol.for('logsieve.next.v1')
const globals = globalThis as unknown as Record<symbol, NextState | undefined>

/** The one state of this process, created by whichever copy of this package asks first. */
export function nextState(): NextState {
  globals[SLOT] ??= { thrown: new WeakMap(), signalsHooked: false }
  return globals[SLOT]
}
