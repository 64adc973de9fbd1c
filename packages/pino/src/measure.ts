// What a kept line really costs, measured after pino serialized it (its `hooks.streamWrite`, pino 9+):
// the bytes written, and the plain bytes (the same line without Logsieve's fields). Both go to the
// sampler, which counts the pattern's other lines at the measured means. Which kept lines are measured
// is the sampler's choice (Decision.measure).
import type { Sampler } from '@logsieve/core/sdk'
import { HOOKS } from './pino-symbols.js'
import type { PinoLike, StreamWriteHook } from './types.js'

type Hooks = { streamWrite?: StreamWriteHook }

export interface Measure {
  /** Whether the kept line being written is measured (its Decision.measure, set by the kept path). */
  on: boolean
  /** Install the streamWrite hook for the line about to be written, if chosen; returns what to disarm. */
  arm(logger: PinoLike, fields: string): Hooks | undefined
  /** The fields in the line being written changed (a mixin wrote one of them itself). */
  refields(fields: string): void
  disarm(armed: Hooks | undefined): void
  /** The hook to install for good (the user's own, wrapped), or undefined: ours then only around measured lines. */
  readonly streamWrite: StreamWriteHook | undefined
}

export function createMeasure(sampler: Sampler, userStreamWrite: StreamWriteHook | undefined): Measure {
  const measured = sampler.measured
  let lineFields = ''

  function arm(logger: PinoLike, fields: string): Hooks | undefined {
    if (!m.on) return undefined
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
    arm,
    refields(fields) {
      lineFields = fields
    },
    disarm(armed) {
      if (armed !== undefined) armed.streamWrite = undefined
      m.on = false
    },
    streamWrite: userStreamWrite === undefined ? undefined : streamWrite,
  }
  return m
}
