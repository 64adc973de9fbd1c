import { createSieve } from '@logsieve/node'
import fc from 'fast-check'
import pino10 from 'pino'
import pino8 from 'pino8'
import pino9 from 'pino9'
import format from 'quick-format-unescaped'
import { describe, expect, it } from 'vitest'
import { sievePino } from './index.js'
import { compileFormat, interpolate } from './interpolate.js'

// Format strings made of text, placeholders (known, unknown and %%) and stray percent signs.
const formatString = fc
  .array(
    fc.oneof(
      {
        arbitrary: fc.constantFrom('%s', '%d', '%f', '%i', '%%', '%x', '% ', '%', 'a', ' ', 'é', '%%s'),
        weight: 8,
      },
      { arbitrary: fc.string({ maxLength: 4 }), weight: 4 },
      // Formats pino keeps formatting itself.
      { arbitrary: fc.constantFrom('%j', '%o', '%O'), weight: 1 },
    ),
    { maxLength: 8 },
  )
  .map((parts) => parts.join(''))
const value = fc.oneof(
  { arbitrary: fc.string({ maxLength: 6 }), weight: 4 },
  { arbitrary: fc.integer(), weight: 2 },
  { arbitrary: fc.double(), weight: 2 },
  { arbitrary: fc.boolean(), weight: 1 },
  { arbitrary: fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }), weight: 1 },
  { arbitrary: fc.constantFrom(null, undefined, '12.5', '', 'NaN', '-0'), weight: 2 },
  // Values pino keeps formatting itself.
  { arbitrary: fc.oneof(fc.object({ maxDepth: 1 }), fc.constant(Symbol('s'))), weight: 1 },
)

describe('interpolate', () => {
  it('gives what quick-format-unescaped (pino’s formatter) gives, or leaves the line to it', () => {
    let interpolated = 0
    fc.assert(
      fc.property(
        formatString,
        fc.array(value, { minLength: 1, maxLength: 5 }),
        fc.nat(1),
        (f, values, start) => {
          const args = start === 1 ? ['ignored', ...values] : values
          const compiled = compileFormat(f)
          const out = compiled === undefined ? undefined : interpolate(compiled, args, start)
          if (out === undefined) return
          interpolated++
          expect(out).toBe(format(f, values, {}))
        },
      ),
      { numRuns: 4000 },
    )
    // Enough generated cases must reach the comparison rather than fall back (about a third do).
    expect(interpolated).toBeGreaterThan(1000)
  })

  it('leaves %j, %o and %O, objects and symbols to pino', () => {
    expect(compileFormat('a %j')).toBeUndefined()
    expect(compileFormat('no placeholder, 100%')).toBeUndefined()
    const c = compileFormat('%s and %d')!
    expect(interpolate(c, [{}, 1], 0)).toBeUndefined()
    expect(interpolate(c, ['x', Symbol('s')], 0)).toBeUndefined()
    expect(interpolate(c, ['x', 2.5], 0)).toBe('x and 2.5')
    expect(interpolate(c, ['x'], 0)).toBe('x and %d')
  })
})

describe('kept lines formatted by the integration', () => {
  const calls: unknown[][] = [
    [{ orderId: 1 }, 'order %s placed by %s', 7, 'user-1'],
    ['%d items at %f, %i whole', '3', 2.5, -1.5],
    ['rate %s%% of %s', 12, null],
    ['missing %s and %d', 'only one'],
    [{ a: 1 }, 'nulls %d %i %s', null, undefined, undefined],
    ['odd % placeholders %x %s', 'skipped', 'taken'],
    ['big %d and %s', 10n ** 20n, 10n],
    ['json %j stays with pino', { k: 1 }],
    ['object %s stays with pino', { toString: () => 'custom' }],
    [new Error('boom %s'), 'failed %s', 'x'],
  ]

  for (const [name, factory] of [
    ['pino 8', pino8],
    ['pino 9', pino9],
    ['pino 10', pino10],
  ] as const) {
    it(`${name} writes the same messages with and without Logsieve`, () => {
      const written = (withSieve: boolean, msgPrefix?: string) => {
        const lines: string[] = []
        const stream = { write: (s: string) => void lines.push(JSON.parse(s).msg) }
        const options = {
          base: undefined,
          timestamp: false,
          ...(msgPrefix === undefined ? {} : { msgPrefix }),
        }
        const sieve = createSieve({ service: 't', cacheDir: false })
        // biome-ignore lint/suspicious/noExplicitAny: the three majors' option types differ
        const logger = (factory as any)(withSieve ? sievePino(sieve, options) : options, stream)
        const child = logger.child({ svc: 'a' })
        // Twice each: the first line goes through pino's hook, the next through the level method.
        for (const call of [...calls, ...calls]) child.info(...call)
        return lines
      }
      expect(written(true)).toEqual(written(false))
      expect(written(true).length).toBe(calls.length * 2)
      // A prefix with a percent sign is formatted by pino together with the message.
      expect(written(true, '[%s] ')).toEqual(written(false, '[%s] '))
    })
  }
})

describe('kept lines written by the integration', () => {
  // Call shapes pino's level method handles differently (see directMessage in pino.ts).
  const req = { method: 'GET', url: '/a', headers: { host: 'h' }, socket: { remoteAddress: '::1' } }
  const res = { statusCode: 200, setHeader() {}, getHeaders: () => ({}) }
  const calls: unknown[][] = [
    ['plain message'],
    [{ a: 1 }],
    [{ a: 1 }, 'with fields'],
    [{ a: 1 }, 42],
    [{ a: 1 }, null],
    [{ a: 1 }, undefined],
    [{ a: 1 }, { nested: true }],
    [new Error('boom')],
    [new Error('boom'), 'failed'],
    [[1, 2], 'an array'],
    [req, 'request'],
    [res, 'response'],
    [{ a: 1 }, 'values %s and %d', 'x', 2],
    [{ a: 1 }, 'one value %s', 'v'],
    [{ a: 1 }, 'missing %s and %s', 'v'],
    ['values %s', 'x'],
    ['two values %s and %i', 'a', 3.7],
    ['three values %s %d %s', 'a', 2, null],
    ['an object value %s', { k: 1 }],
    ['more values %s', 'a', 'b', 'c', 'd'],
    ['json %j', { k: 1 }],
    [{ a: 1 }, 'extra values', 'ignored'],
    [null],
    [null, 'after null'],
    [undefined, 'after undefined'],
    [7],
    [true, 'flag'],
  ]

  type Logger = Record<'info' | 'warn', (...args: unknown[]) => void> & {
    child(bindings: object, options?: object): Logger
  }
  /** The lines `log` writes through a pino of `factory`, with or without Logsieve (time left out). */
  const writtenBy = (
    factory: unknown,
    withSieve: boolean,
    msgPrefix: string | undefined,
    log: (logger: Logger) => void,
  ) => {
    const lines: Record<string, unknown>[] = []
    const stream = {
      write: (s: string) => {
        const line = JSON.parse(s)
        delete line.time
        lines.push(line)
      },
    }
    const options = { base: undefined, ...(msgPrefix === undefined ? {} : { msgPrefix }) }
    const sieve = createSieve({ service: 't', cacheDir: false })
    // biome-ignore lint/suspicious/noExplicitAny: the three majors' option types differ
    log((factory as any)(withSieve ? sievePino(sieve, options) : options, stream))
    return lines
  }

  for (const [name, factory] of [
    ['pino 8', pino8],
    ['pino 9', pino9],
    ['pino 10', pino10],
  ] as const) {
    it(`${name} writes the same lines with and without Logsieve, but for Logsieve's fields`, () => {
      const written = (withSieve: boolean, msgPrefix?: string) =>
        writtenBy(factory, withSieve, msgPrefix, (logger) => {
          const child = logger.child({ svc: 'a' })
          // Twice each: the first line goes through pino's hook, the next through the level method.
          for (const call of [...calls, ...calls]) {
            child.info(...call)
            logger.warn(...call)
          }
        }).map(({ signature: _s, sample_rate: _r, ...line }) => line)
      expect(written(true)).toEqual(written(false))
      expect(written(true).length).toBe(calls.length * 4)
      expect(written(true, 'prefix: ')).toEqual(written(false, 'prefix: '))
    })

    // The sampler measures a sieve's first 256 kept lines and each pattern's first 8; most later lines of
    // one or two arguments are written straight from the level method (the integration's bare path).
    it(`${name} writes the same lines past the measured ones`, () => {
      const written = (withSieve: boolean, msgPrefix?: string) =>
        writtenBy(factory, withSieve, msgPrefix, (logger) => {
          const child = logger.child({ svc: 'a' }, { msgPrefix: '[%s] ' })
          for (let i = 0; i < 300; i++) logger.info('warm-up')
          for (let round = 0; round < 12; round++)
            for (const call of calls) {
              child.info(...call)
              logger.warn(...call)
            }
        })
      expect(written(true)).toEqual(written(false))
      expect(written(true).length).toBe(300 + calls.length * 24)
      expect(written(true, 'prefix: ')).toEqual(written(false, 'prefix: '))
    })
  }
})
