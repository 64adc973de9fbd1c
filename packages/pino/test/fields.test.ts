// Which fields a kept line carries by default (core's rule, docs/concepts.md), each switchable; what a
// kept line costs, written and plain; and message-less lines signed by their structure.
import { createSieve, integrationOf, type Sieve } from '@logsieve/node'
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { type SievePinoOptions, sievePino } from '../src/index.js'

type Line = Record<string, unknown>
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'
const TP = `00-${TRACE}-00f067aa0ba902b7-01`

function sieveWith(levels: Record<string, number> = {}, random?: () => number): Sieve {
  return createSieve({
    service: 'fields',
    cacheDir: false,
    policy: {
      service: 'fields',
      version: 1,
      defaults: { levels, newPattern: { rate: 1 }, floorPerMinute: 0 },
    },
    ...(random ? { random } : {}),
  })
}

function logger(sieve: Sieve, options?: SievePinoOptions) {
  const raw: string[] = []
  const log = pino(sievePino(sieve, { base: { pid: 1, hostname: 'h' } }, options), {
    write: (s: string) => void raw.push(s),
  })
  return { log, raw, lines: () => raw.map((s) => JSON.parse(s) as Line) }
}

describe('fields by default', () => {
  it('adds nothing to a line kept whole, outside a request or in one no trace came into', async () => {
    const sieve = sieveWith()
    const { log, lines } = logger(sieve)
    log.info({ orderId: 1 }, 'order placed')
    await sieve.run({}, async () => log.error('payment failed'))
    expect(lines()).toEqual([
      { level: 30, time: expect.any(Number), pid: 1, hostname: 'h', orderId: 1, msg: 'order placed' },
      { level: 50, time: expect.any(Number), pid: 1, hostname: 'h', msg: 'payment failed' },
    ])
  })

  it('writes trace ids that came in, and the caller’s request id', async () => {
    const sieve = sieveWith()
    const { log, lines } = logger(sieve)
    await sieve.run({ traceparent: TP, requestId: 'req-1' }, async () => log.info('in a traced request'))
    await sieve.run({ traceId: TRACE }, async () => log.info('in a given trace'))
    expect(lines()[0]).toMatchObject({
      trace_id: TRACE,
      span_id: expect.stringMatching(/^[0-9a-f]{16}$/),
      request_id: 'req-1',
    })
    expect(lines()[1]).toMatchObject({ trace_id: TRACE })
  })

  it('gives each line of interleaved requests its own trace and request fields', async () => {
    const sieve = sieveWith()
    const { log, lines } = logger(sieve)
    const other = `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`
    // Two requests whose lines alternate: a fragment reused from the last line must not leak across.
    const first = sieve.run({ traceparent: TP, requestId: 'req-1' }, async () => {
      log.info('step %s', 1)
      await new Promise((r) => setImmediate(r))
      log.info('step %s', 2)
    })
    const second = sieve.run({ traceparent: other, requestId: 'req-2' }, async () => {
      log.info('step %s', 1)
      await new Promise((r) => setImmediate(r))
      log.info('step %s', 2)
    })
    await Promise.all([first, second])
    log.info('step %s', 3)
    const byRequest = lines().map((l) => [l.request_id, l.trace_id, l.msg])
    expect(byRequest).toEqual([
      ['req-1', TRACE, 'step 1'],
      ['req-2', 'a'.repeat(32), 'step 1'],
      ['req-1', TRACE, 'step 2'],
      ['req-2', 'a'.repeat(32), 'step 2'],
      [undefined, undefined, 'step 3'],
    ])
  })

  it('writes a child’s current bindings on lines with fields and without, across setBindings', () => {
    const sieve = sieveWith()
    const { log, lines } = logger(sieve)
    const child = log.child({ a: 1 })
    // The level method goes in after the first line; lines without fields go through the logger's view,
    // lines with fields through a second view whose bindings are set for the line and put back.
    const round = (tag: string) => {
      child.info('plain %s', tag)
      sieve.run({ requestId: `req-${tag}` }, () => child.info('scoped %s', tag))
      child.info('plain %s', tag)
    }
    round('x')
    child.setBindings({ b: 2 })
    round('y')
    expect(lines().map((l) => [l.msg, l.a, l.b, l.request_id])).toEqual([
      ['plain x', 1, undefined, undefined],
      ['scoped x', 1, undefined, 'req-x'],
      ['plain x', 1, undefined, undefined],
      ['plain y', 1, 2, undefined],
      ['scoped y', 1, 2, 'req-y'],
      ['plain y', 1, 2, undefined],
    ])
    expect(child.bindings()).toEqual({ a: 1, b: 2 })
  })

  it('writes sample_rate when a line stands for more than itself, and no signature', () => {
    let n = 0
    const sieve = sieveWith({ info: 0.5 }, () => (n++ % 2 === 0 ? 0.9 : 0.1))
    const { log, lines } = logger(sieve)
    for (let i = 0; i < 4; i++) log.info('tick %d', i)
    expect(lines()).toEqual([
      expect.objectContaining({ msg: 'tick 1', sample_rate: 2 }),
      expect.objectContaining({ msg: 'tick 3', sample_rate: 2 }),
    ])
    expect(lines().some((l) => 'signature' in l)).toBe(false)
  })

  it('with signatureField: true, tags the lines of a sampled pattern with signature', () => {
    let n = 0
    // dropped, kept, dropped, kept…
    const sieve = sieveWith({ info: 0.5 }, () => (n++ % 2 === 0 ? 0.9 : 0.1))
    const { log, lines } = logger(sieve, { signatureField: true })
    for (let i = 0; i < 6; i++) log.info('tick %d', i)
    log.warn('kept whole')
    const out = lines()
    expect(out.map((l) => l.msg)).toEqual(['tick 1', 'tick 3', 'tick 5', 'kept whole'])
    for (const l of out.slice(0, 3))
      expect(l).toMatchObject({ signature: expect.stringMatching(/^[0-9a-f]{16}$/), sample_rate: 2 })
    expect(out[3]).not.toHaveProperty('signature')
    expect(out[3]).not.toHaveProperty('sample_rate')
  })

  it('switches each field: false never, always on every kept line', async () => {
    const sieve = sieveWith()
    const always = logger(sieve, { signatureField: 'always', traceFields: 'always' })
    const off = logger(sieve, { signatureField: false, traceFields: false, scopeFields: false })
    await sieve.run({ requestId: 'r' }, async () => {
      always.log.info('started here')
      off.log.info('started here')
    })
    expect(always.lines()[0]).toMatchObject({
      signature: expect.any(String),
      trace_id: expect.any(String),
      request_id: 'r',
    })
    expect(Object.keys(off.lines()[0] ?? {})).toEqual(['level', 'time', 'pid', 'hostname', 'msg'])
  })
})

describe('what a kept line costs', () => {
  it('counts written bytes and plain bytes (the line without Logsieve’s fields), both measured', async () => {
    const sieve = sieveWith()
    const { log, raw } = logger(sieve, { signatureField: 'always' })
    const plainRaw: string[] = []
    const plain = pino({ base: { pid: 1, hostname: 'h' } }, { write: (s: string) => void plainRaw.push(s) })
    await sieve.run({ traceparent: TP, requestId: 'req-é' }, async () => {
      for (let i = 0; i < 5; i++) log.info({ city: 'Zürich' }, 'order %d placed', 10 + i)
    })
    for (let i = 0; i < 5; i++) plain.info({ city: 'Zürich' }, 'order %d placed', 10 + i)
    const row = integrationOf(sieve).sampler.stats.snapshot().rows[0] as {
      keptBytes: number
      plainBytes?: number
    }
    const bytes = (lines: string[]) => lines.reduce((a, l) => a + Buffer.byteLength(l), 0)
    const untimed = (l: string) => l.replace(/"time":\d+/, '')
    expect(row.keptBytes).toBe(bytes(raw))
    expect(row.plainBytes).toBe(bytes(raw) - bytes(raw.map(untimed)) + bytes(plainRaw.map(untimed)))
  })
})

describe('message-less lines', () => {
  it('get a pattern each from their structure, never one for all', () => {
    const sieve = sieveWith()
    const { log } = logger(sieve)
    log.info({ event: 'cart.updated', cartId: 'c1' })
    log.info({ event: 'cart.updated', cartId: 'c2' })
    log.info({ event: 'order.paid', orderId: 7 })
    log.info({ orderId: 7, total: 12 })
    log.info({ total: 3, orderId: 8 })
    log.info({ userId: 'u1' })
    const templates = integrationOf(sieve)
      .sampler.stats.snapshot()
      .rows.map((r) => [r.template, r.seen])
      .sort()
    expect(templates).toEqual([
      ['[event] cart.updated', 2],
      ['[event] order.paid', 1],
      ['{orderId,total}', 2],
      ['{userId}', 1],
    ])
  })
})
