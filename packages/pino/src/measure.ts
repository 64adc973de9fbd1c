// What a kept line really costs, measured after pino serialized it (its `hooks.streamWrite`, pino 9+):
// the bytes written, and the plain bytes (the same line without Logsieve's fields). Both go to the
// sampler, which counts the pattern's other lines at the measured means. Which kept lines are measured
// is the sampler's choice (Decision.measure).
import type { Sampler } from '@logsieve/core/sdk'
import { HOOKS } from './pino-symbols.js'
import type { PinoLike, StreamWriteHook } from './types.js'

/** Measured lines in a row written without a call of the hook, after which measuring stops (pino 8). */
const UNHEARD_LIMIT = 3

type Hooks = { streamWrite?: StreamWriteHook }

export interface Measure {
  /** Whether the kept line being written is measured (its Decision.measure, set by the kept path). */
  on: boolean
  /**
   * False once pino wrote UNHEARD_LIMIT measured lines in a row without calling the hook: pino 8 has no
   * `streamWrite`, and its kept lines then skip arming it (their sizes stay estimated).
   */
  hears: boolean
  /** Install the streamWrite hook for the line about to be written, if chosen; returns what to disarm. */
  arm(logger: PinoLike, fields: string): Hooks | undefined
  /** pino returned from writing the measured line (our own call of it, not a user hook's). */
  written(): void
  /** The fields in the line being written changed (a mixin wrote one of them itself). */
  refields(fields: string): void
  disarm(armed: Hooks | undefined): void
  /** The hook to install for good (the user's own, wrapped), or undefined: ours then only around measured lines. */
  readonly streamWrite: StreamWriteHook | undefined
}

export function createMeasure(sampler: Sampler, userStreamWrite: StreamWriteHook | undefined): Measure {
  const measured = sampler.measured
  let lineFields = ''
  /** A measured line is being written; its hook call is awaited. */
  let asked = false
  let unheard = 0

  function arm(logger: PinoLike, fields: string): Hooks | undefined {
    if (!m.on) return undefined
    asked = true
    lineFields = fields
    if (userStreamWrite !== undefined) return undefined
    // pino calls a streamWrite hook on every line it writes (~40 ns): ours is there only around this one.
    const hooks = (logger as unknown as Record<symbol, Hooks | undefined>)[HOOKS]
    if (typeof hooks !== 'object' || hooks === null) return undefined
    hooks.streamWrite = streamWrite
    return hooks
  }

  function streamWrite(line: string): string {
    const out = userStreamWrite ? userStreamWrite(line) : line
    if (m.on) {
      m.on = false
      unheard = 0
      // UTF-8 bytes, exact for any text; the fields are in the line as they were appended.
      if (typeof out === 'string') {
        const written = Buffer.byteLength(out, 'utf8')
        measured(written, lineFields === '' ? written : written - Buffer.byteLength(lineFields, 'utf8'))
      }
    }
    return out
  }

  const m: Measure = {
    on: false,
    hears: true,
    arm,
    refields(fields) {
      lineFields = fields
    },
    written() {
      // Still on after pino returned from writing the line: it never called the hook.
      if (asked && m.on && ++unheard >= UNHEARD_LIMIT) m.hears = false
    },
    disarm(armed) {
      if (armed !== undefined) armed.streamWrite = undefined
      asked = false
      m.on = false
    },
    streamWrite: userStreamWrite === undefined ? undefined : streamWrite,
  }
  return m
}
