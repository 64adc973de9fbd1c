// What a kept line really costs, measured after pino serialized it (its `hooks.streamWrite`, pino 9+):
// the bytes written, and the plain bytes (the same line without Logsieve's fields). Both go to the
// sampler, which counts the pattern's other lines at the measured means.
import type { Sampler } from '@logsieve/core/sdk'
import { HOOKS } from './pino-symbols.js'
import type { PinoLike, StreamWriteHook } from './types.js'

/**
 * Kept lines measured: the first MEASURE_FIRST, the first of each pattern and level, and then one in
 * MEASURE_EVERY (a power of two). A measured line costs ~500 ns more on a child logger (the hook, and a
 * pass over the serialized line); one in 8 cost ~70 ns a kept line on average, one in 32 costs ~18.
 */
const MEASURE_FIRST = 256
const MEASURE_EVERY = 32

type Hooks = { streamWrite?: StreamWriteHook }

export interface Measure {
  /** Whether the kept line being written is to be measured (set by choose). */
  on: boolean
  /** Choose whether the kept line just decided is measured (reads the sampler's last decision). */
  choose(): void
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
  // An LCG kept within small integers (no heap number per step); its high bits choose. Random, not a
  // counter: a counter could fall into step with a loop's period.
  let draw = 0x1e3779b9
  let first = 0

  function choose(): void {
    if (first < MEASURE_FIRST) {
      first++
      m.on = true
    } else if (sampler.sizeUnknown()) m.on = true
    else {
      draw = (Math.imul(draw, 1103515245) + 12345) & 0x3fffffff
      m.on = ((draw >> 20) & (MEASURE_EVERY - 1)) === 0
    }
  }

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
    choose,
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
