import { createSieve, integrationOf, type Sieve } from '@logsieve/node'
import pino10 from 'pino'
import pino8 from 'pino8'
import pino9 from 'pino9'
import { describe, expect, it } from 'vitest'
import { attachSieve, sievePino } from './index.js'

type Line = Record<string, unknown>
// The three majors share the call shape we use; their option types differ slightly.
type PinoFactory = (
  options: object,
  stream: { write(s: string): void },
) => {
  info: (...a: unknown[]) => void
  debug: (...a: unknown[]) => void
  warn: (...a: unknown[]) => void
  error: (...a: unknown[]) => void
  child: (b: object) => PinoChild
  bindings: () => object
  setBindings: (b: object) => void
  level: string
}
interface PinoChild {
  info: (...a: unknown[]) => void
  error: (...a: unknown[]) => void
  child: (b: object) => PinoChild
  bindings: () => object
}

function sink() {
  const lines: Line[] = []
  const parse = (s: string): Line => {
    try {
      return JSON.parse(s) as Line
    } catch {
      // pino itself writes `"msg":undefined` for a Symbol message; keep the raw line.
      return { raw: s }
    }
  }
  return { lines, stream: { write: (s: string) => void lines.push(parse(s)) } }
}

/** A sieve without the per-minute floor unless `floorPerMinute` is given: most tests look at sampling. */
function sieveWith(levels: Record<string, number>, extra?: object, floorPerMinute = 0): Sieve {
  return createSieve({
    service: 'pino-test',
    cacheDir: false,
    policy: {
      service: 'pino-test',
      version: 1,
      defaults: { levels, newPattern: { rate: 1 }, floorPerMinute },
      ...extra,
    },
  })
}

const versions: Array<[string, PinoFactory]> = [
  ['pino 8', pino8 as unknown as PinoFactory],
  ['pino 9', pino9 as unknown as PinoFactory],
  ['pino 10', pino10 as unknown as PinoFactory],
]

describe.each(versions)('%s', (_name, pino) => {
  it('drops by policy before serialization and keeps errors', () => {
    const { lines, stream } = sink()
    const sieve = sieveWith({ info: 0, debug: 0 })
    const log = pino(sievePino(sieve, { level: 'debug' }), stream)
    for (let i = 0; i < 50; i++) log.info('user %s logged in', `u${i}`)
    log.debug({ k: 1 }, 'debug detail')
    log.error('payment failed for order %d', 42)
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatchObject({ msg: 'payment failed for order 42', level: 50 })
    // Kept whole (errors always are): no signature by default, it would say nothing the line does not.
    expect(lines[0]).not.toHaveProperty('signature')
    const rows = integrationOf(sieve).sampler.stats.snapshot().rows
    const info = rows.find((r) => r.level === 'info')
    // The template is the format string: 50 distinct users, one pattern.
    expect(info).toMatchObject({ template: 'user %s logged in', seen: 50, kept: 0 })
  })

  it('annotates kept lines with signature and sample_rate, preserving user hooks and mixin', () => {
    const { lines, stream } = sink()
    const sieve = sieveWith({ info: 0.5 }, { rules: [] })
    const hookCalls: number[] = []
    const log = pino(
      sievePino(sieve, {
        mixin: () => ({ app: 'shop' }),
        hooks: {
          logMethod(this: unknown, args: unknown[], method: (...a: unknown[]) => void, level: number) {
            hookCalls.push(level)
            method.apply(this, args)
          },
        },
      }),
      stream,
    )
    for (let i = 0; i < 400; i++) log.info({ i }, 'tick %d', i)
    expect(lines.length).toBeGreaterThan(100)
    expect(lines.length).toBeLessThan(300)
    expect(hookCalls).toHaveLength(lines.length)
    let previous = -1
    for (const line of lines) {
      // Each kept line stands for itself and the lines dropped since the previous kept one.
      const i = line.i as number
      expect(line).toMatchObject({ app: 'shop', msg: `tick ${i}` })
      expect(line.sample_rate ?? 1).toBe(i - previous)
      expect(line.signature).toBe(lines[0]?.signature)
      previous = i
    }
  })

  it('keeps the first line of a sampled pattern each minute, without sample_rate (weight 1)', () => {
    const { lines, stream } = sink()
    const sieve = sieveWith({ info: 0.001 }, {}, 1)
    const log = pino(sievePino(sieve), stream)
    for (let i = 0; i < 200; i++) log.info('poll %d', i)
    expect(lines[0]).toMatchObject({ msg: 'poll 0' })
    expect(lines[0]?.sample_rate).toBeUndefined()
    // A minute may turn during the loop (one more floor line); at rate 1/1000 the rest are rare and weighted.
    const floor = lines.filter((l) => l.sample_rate === undefined)
    expect(floor.length).toBeLessThanOrEqual(2)
    // Any later kept line stands for the lines dropped since the previous kept one.
    for (let k = 1; k < lines.length; k++) {
      const gap = Number(String(lines[k]!.msg).slice(5)) - Number(String(lines[k - 1]!.msg).slice(5))
      expect(lines[k]!.sample_rate ?? 1).toBe(gap)
    }
  })

  it('keeps child loggers working, with their bindings', () => {
    const { lines, stream } = sink()
    const sieve = sieveWith({})
    const log = pino(sievePino(sieve), stream)
    const child = log.child({ component: 'db' })
    child.info('connected to %s', 'primary')
    child.child({ shard: 3 }).error(new Error('boom'))
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatchObject({ component: 'db', msg: 'connected to primary' })
    expect(lines[1]).toMatchObject({ component: 'db', shard: 3, msg: 'boom' })
    expect(lines[1]?.err).toMatchObject({ message: 'boom' })
  })

  it('leaves the logger itself untouched: bindings, setBindings, children and the mixin’s logger', () => {
    const { lines, stream } = sink()
    const sieve = sieveWith({})
    const seen: unknown[] = []
    const log = pino(
      sievePino(
        sieve,
        {
          mixin: (_o: object, _l: number, logger: unknown) => {
            seen.push(logger)
            return {}
          },
        },
        { signatureField: 'always' },
      ),
      stream,
    )
    log.info('first')
    // Our fields ride on the line only, never on the logger's own bindings or on children made later.
    expect(log.bindings()).toEqual({})
    const child = log.child({ component: 'db' })
    expect(child.bindings()).toEqual({ component: 'db' })
    child.info('from the child')
    log.setBindings({ region: 'eu' })
    log.info('after setBindings')
    expect(seen).toEqual([log, child, log])
    expect(lines.map((l) => [l.msg, l.component, l.region, typeof l.signature])).toEqual([
      ['first', undefined, undefined, 'string'],
      ['from the child', 'db', undefined, 'string'],
      ['after setBindings', undefined, 'eu', 'string'],
    ])
    expect(lines.every((l) => Object.keys(l).filter((k) => k === 'signature').length === 1)).toBe(true)
  })

  it('replaces pino’s hooked level methods after their first line, and follows level changes', () => {
    const { lines, stream } = sink()
    const sieve = sieveWith({ info: 0 })
    const log = pino(sievePino(sieve, { level: 'info' }, { signatureField: 'always' }), stream)
    const hooked = log.info
    log.info('first %s', 'line') // through the hook, which then installs the level method
    expect(log.info).not.toBe(hooked)
    log.warn('kept %s', 'warning')
    for (let i = 0; i < 20; i++) log.info('order %d placed', i)
    // pino rebuilds its level methods on a level change: the next line comes through the hook again.
    log.level = 'debug'
    log.debug({ d: 1 }, 'debug %s', 'detail')
    for (let i = 0; i < 20; i++) log.info('order %d placed', i)
    const child = log.child({ svc: 'a' })
    for (let i = 0; i < 20; i++) child.info('order %d placed', i)
    log.error('failed %d', 1)
    expect(lines.map((l) => l.msg)).toEqual(['kept warning', 'debug detail', 'failed 1'])
    expect(lines[0]?.signature).toMatch(/^[0-9a-f]{16}$/)
    const info = integrationOf(sieve)
      .sampler.stats.snapshot()
      .rows.find((r) => r.template === 'order %d placed')
    expect(info).toMatchObject({ seen: 60, kept: 0 })
  })

  it('gives a child with its own level its own level methods, and leaves app-wrapped methods alone', () => {
    const { lines, stream } = sink()
    const sieve = sieveWith({ info: 0 })
    const log = pino(sievePino(sieve, { level: 'warn' }), stream)
    const child = (log.child as (b: object, o: object) => PinoChild)({ svc: 'a' }, { level: 'info' })
    for (let i = 0; i < 5; i++) child.info('child %d', i)
    expect(Object.hasOwn(child, 'info')).toBe(true)
    expect(lines).toHaveLength(0)
    // An app that wrapped a level method keeps its wrapper, and its lines are still sampled by the hook.
    const seen: unknown[][] = []
    const other = pino(sievePino(sieve, { level: 'info' }), stream)
    const original = other.info
    const wrapper = function (this: unknown, ...a: unknown[]) {
      seen.push(a)
      original.apply(this, a)
    }
    other.info = wrapper
    for (let i = 0; i < 5; i++) other.info('wrapped %d', i)
    expect(other.info).toBe(wrapper)
    expect(seen).toHaveLength(5)
    expect(lines).toHaveLength(0)
  })

  it('leaves level methods to the hook when the app has its own logMethod hook', () => {
    const { lines, stream } = sink()
    const sieve = sieveWith({ info: 0.5 }, undefined)
    const calls: string[] = []
    const logMethod = function (this: unknown, args: unknown[], method: (...a: unknown[]) => void) {
      calls.push(String(args[0]))
      method.apply(this, args)
    }
    const log = pino(sievePino(sieve, { hooks: { logMethod } }), stream)
    const hooked = log.info
    for (let i = 0; i < 40; i++) log.info(`line ${i}`)
    expect(log.info).toBe(hooked)
    // The user's hook sees exactly the kept lines, and each of them is written.
    expect(calls.length).toBe(lines.length)
    expect(lines.length).toBeGreaterThan(0)
    expect(lines.length).toBeLessThan(40)
  })

  it('estimates kept sizes from measured ones once past the first lines (pino 9+)', () => {
    const written: string[] = []
    const sieve = sieveWith({})
    const log = pino(sievePino(sieve, { base: { pid: 1, hostname: 'h' } }), { write: (s) => written.push(s) })
    // One size for every line: the estimate of an unmeasured line is then exact.
    for (let i = 0; i < 2000; i++) log.info({ user: 'ascii' }, 'order %d placed', 1000 + (i % 9000))
    const row = integrationOf(sieve).sampler.stats.snapshot().rows[0]
    expect(row).toMatchObject({ seen: 2000, kept: 2000 })
    if (_name === 'pino 8') return // no streamWrite hook: sizes stay estimated from the message
    expect(new Set(written.map((l) => l.length)).size).toBe(1)
    expect(row?.keptBytes).toBe(written.reduce((a, b) => a + b.length, 0))
    // Without a streamWrite hook of the app's, ours is installed only around the lines it measures.
    expect(
      (log as unknown as Record<symbol, { streamWrite?: unknown }>)[Symbol.for('pino.hooks')],
    ).toMatchObject({
      streamWrite: undefined,
    })
  })

  it('arms its streamWrite hook for measured lines while pino calls it, and stops where it never does (pino 8)', () => {
    const sieve = sieveWith({})
    const log = pino(sievePino(sieve, { base: { pid: 1, hostname: 'h' } }), { write: () => {} })
    // Every assignment of a hook to pino's real hooks object, counted without changing what pino reads.
    const hooks = (log as unknown as Record<symbol, object>)[Symbol.for('pino.hooks')] as object
    let armed = 0
    let current: unknown
    Object.defineProperty(hooks, 'streamWrite', {
      get: () => current,
      set: (v: unknown) => {
        if (v !== undefined) armed++
        current = v
      },
      configurable: true,
    })
    // The first 256 kept lines are all to be measured.
    for (let i = 0; i < 100; i++) log.info('line %d', i)
    expect(armed).toBe(_name === 'pino 8' ? 3 : 100)
  })

  it('measures the first kept lines of each new pattern, also past the first lines (pino 9+)', () => {
    if (_name === 'pino 8') return // no streamWrite hook: sizes stay estimated from the message
    const written: string[] = []
    const sieve = sieveWith({})
    const log = pino(sievePino(sieve, { base: { pid: 1, hostname: 'h' } }), { write: (s) => written.push(s) })
    for (let i = 0; i < 300; i++) log.info('warm up %d', i)
    const before = written.length
    // Far from its estimate (message length + 64): a long field. Past the first 256 a pattern's first 8
    // lines are measured, then one in 256 at random, so an estimated line would show here.
    for (let i = 0; i < 3; i++) log.info({ blob: 'x'.repeat(500) }, 'upload %s stored', 'f1')
    const row = integrationOf(sieve)
      .sampler.stats.snapshot()
      .rows.find((r) => r.template === 'upload %s stored')
    const sizes = written.slice(before).map((l) => Buffer.byteLength(l))
    expect(row?.keptBytes).toBe(sizes.reduce((a, b) => a + b, 0))
  })

  it('counts the real size of kept lines (pino 9+), and estimates dropped ones from them', () => {
    const written: string[] = []
    let n = 0
    const sieve = createSieve({
      service: 'pino-test',
      cacheDir: false,
      policy: { service: 'pino-test', version: 1, defaults: { levels: { info: 0.5 }, floorPerMinute: 0 } },
      // dropped, kept, dropped, kept…: every kept line stands for two (sample_rate 2), so all are one size
      random: () => (n++ % 2 === 0 ? 0.9 : 0.1),
    })
    const log = pino(sievePino(sieve, { base: { pid: 1, hostname: 'h' } }), { write: (s) => written.push(s) })
    for (let i = 10; i < 30; i++) log.info({ user: 'ascii' }, 'order %d placed', i)
    const row = integrationOf(sieve).sampler.stats.snapshot().rows[0]
    expect(row).toMatchObject({ seen: 20, kept: 10 })
    const real = written.map((l) => l.length)
    if (_name === 'pino 8') {
      // No streamWrite hook before pino 9: sizes stay estimated (message length + 64).
      expect(row?.keptBytes).toBe(10 * ('order %d placed'.length + 64))
      return
    }
    expect(row?.keptBytes).toBe(real.reduce((a, b) => a + b, 0))
    // Every kept line has the same size here, so dropped ones after the first kept line are estimated
    // exactly; the very first line, dropped before any was measured, from its message length + 64.
    expect(new Set(real).size).toBe(1)
    expect((row?.bytes ?? 0) - (row?.keptBytes ?? 0)).toBe(9 * (real[0] ?? 0) + 'order %d placed'.length + 64)
  })

  it('counts kept sizes in UTF-8 bytes, for text that is not ASCII too (pino 9+)', () => {
    const written: string[] = []
    const sieve = sieveWith({})
    const log = pino(sievePino(sieve), { write: (s) => written.push(s) })
    for (let i = 0; i < 10; i++) log.info({ city: 'Zürich 東京' }, 'café %d ready', i)
    if (_name === 'pino 8') return // no streamWrite hook
    const row = integrationOf(sieve).sampler.stats.snapshot().rows[0]
    const bytes = written.reduce((a, l) => a + Buffer.byteLength(l), 0)
    expect(bytes).toBeGreaterThan(written.reduce((a, l) => a + l.length, 0))
    expect(row?.keptBytes).toBe(bytes)
  })

  it('keeps a user streamWrite hook and measures what it returns', () => {
    const { lines, stream } = sink()
    const sieve = sieveWith({})
    const hooks = { streamWrite: (s: string) => s.replace('"msg"', '"redacted":true,"msg"') }
    const log = pino(sievePino(sieve, { hooks }), stream)
    log.info('hello %s', 'you')
    if (_name === 'pino 8') return // pino 8 has no streamWrite hook
    expect(lines[0]).toMatchObject({ redacted: true, msg: 'hello you' })
    const row = integrationOf(sieve).sampler.stats.snapshot().rows[0]
    expect(row?.keptBytes).toBe(`${JSON.stringify(lines[0])}\n`.length)
  })

  it('adds each scope’s request_id and user fields, following setFields', async () => {
    const { lines, stream } = sink()
    const sieve = sieveWith({})
    const log = pino(sievePino(sieve), stream)
    const tick = () => new Promise((r) => setTimeout(r, 1))
    await Promise.all(
      ['a', 'b'].map((id) =>
        sieve.run({ requestId: id }, async () => {
          log.info('start %s', id)
          await tick()
          sieve.setFields({ user: `u-${id}`, n: { deep: 1 } })
          log.info('after %s', id)
          await tick()
          sieve.setFields({ tenant: 't' })
          log.info('later %s', id)
        }),
      ),
    )
    const byMsg = (msg: string) => lines.find((l) => l.msg === msg)
    for (const id of ['a', 'b']) {
      expect(byMsg(`start ${id}`)).toMatchObject({ request_id: id })
      expect(byMsg(`start ${id}`)?.user).toBeUndefined()
      expect(byMsg(`after ${id}`)).toMatchObject({ request_id: id, user: `u-${id}`, n: { deep: 1 } })
      expect(byMsg(`later ${id}`)).toMatchObject({ request_id: id, user: `u-${id}`, tenant: 't' })
    }
  })

  it('backfills dropped lines of a scope when an error is logged in it', async () => {
    const { lines, stream } = sink()
    const sieve = sieveWith({ debug: 0, info: 0 })
    const log = pino(sievePino(sieve, { level: 'debug' }), stream)
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736'
    // A trace that came in: its ids are on the request's lines (a trace started here would not be).
    await sieve.run({ traceparent: `00-${traceId}-00f067aa0ba902b7-01` }, async () => {
      log.debug('loading cart %s', 'c1')
      await new Promise((r) => setTimeout(r, 1))
      log.info({ items: 3 }, 'cart loaded')
      log.error('checkout failed')
    })
    // Outside any scope nothing is buffered.
    log.info('no scope')
    log.error('second error')
    expect(lines.map((l) => l.msg)).toEqual([
      'loading cart c1',
      'cart loaded',
      'checkout failed',
      'second error',
    ])
    expect(lines.slice(0, 2).every((l) => l.backfilled === true && typeof l.logged_at === 'number')).toBe(
      true,
    )
    expect(lines[1]?.items).toBe(3)
    expect(lines[2]?.backfilled).toBeUndefined()
    expect(lines.slice(0, 3).every((l) => l.trace_id === traceId)).toBe(true)
    expect(lines[3]?.trace_id).toBeUndefined()
  })
})

describe('pino integration edge cases', () => {
  it('never throws on odd arguments and loses no line it keeps', () => {
    const { lines, stream } = sink()
    const sieve = sieveWith({})
    const log = pino10(sievePino(sieve), stream)
    const circular: Record<string, unknown> = { a: 1 }
    circular.self = circular
    const calls: unknown[][] = [
      [circular, 'circular %s', 'x'],
      ['x'.repeat(1_000_000)],
      [42],
      [null],
      [undefined, 'after undefined'],
      [{ msg: 'from msg key' }],
      [Symbol('s') as unknown],
      [{}, 123],
      [true],
    ]
    const info = log.info.bind(log) as (...a: unknown[]) => void
    for (const args of calls) expect(() => info(...args)).not.toThrow()
    expect(lines.length).toBeGreaterThanOrEqual(8)
  })

  it('lets a throwing user mixin throw, as plain pino does', () => {
    const sieve = createSieve({ service: 's', cacheDir: false })
    const mixin = () => {
      throw new Error('user mixin bug')
    }
    const plain = pino10({ mixin }, sink().stream)
    const sieved = pino10(sievePino(sieve, { mixin }), sink().stream)
    expect(() => plain.info('hello')).toThrow('user mixin bug')
    expect(() => sieved.info('hello')).toThrow('user mixin bug')
  })

  it('attaches to an existing logger and its later children', () => {
    const { lines, stream } = sink()
    const log = pino10({ level: 'info', mixin: () => ({ own: true }) }, stream)
    const sieve = sieveWith({ info: 0 })
    expect(attachSieve(log, sieve, { signatureField: 'always' })).toBe(true)
    log.info('dropped %s', 'now')
    log.child({ c: 1 }).info('also dropped')
    log.warn('kept')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatchObject({ msg: 'kept', own: true })
    expect(lines[0]?.signature).toMatch(/^[0-9a-f]{16}$/)
    // Other loggers are untouched (pino's shared default hooks object was not mutated).
    const other = sink()
    pino10({}, other.stream).info('plain')
    expect(other.lines[0]?.signature).toBeUndefined()
    expect(attachSieve({}, sieve)).toBe(false)
  })
})
