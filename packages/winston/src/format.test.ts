import { Writable } from 'node:stream'
import { createSieve, integrationOf, type Sieve } from '@logsieve/node'
import { describe, expect, it } from 'vitest'
import winston from 'winston'
import { attachSieve, sieveFormat } from './index.js'

type Line = Record<string, unknown>
const { format } = winston

function sink() {
  const lines: Line[] = []
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const s of String(chunk).split('\n')) if (s) lines.push(JSON.parse(s) as Line)
      cb()
    },
  })
  return { lines, transport: new winston.transports.Stream({ stream }) }
}

/** A sieve without the per-minute floor unless `floorPerMinute` is given: most tests look at sampling. */
function sieveWith(levels: Record<string, number>, floorPerMinute = 0): Sieve {
  return createSieve({
    service: 'winston-test',
    cacheDir: false,
    policy: {
      service: 'winston-test',
      version: 1,
      defaults: { levels, newPattern: { rate: 1 }, floorPerMinute },
    },
  })
}

/** Stream transports write asynchronously: wait for the pipe to drain. */
const settle = () => new Promise((r) => setTimeout(r, 20))

describe('sieveFormat', () => {
  it('drops before splat, sees the template, and annotates kept lines', async () => {
    const { lines, transport } = sink()
    const sieve = sieveWith({ info: 0 })
    const logger = winston.createLogger({
      level: 'debug',
      format: format.combine(sieveFormat(sieve, { level: 'debug' }), format.splat(), format.json()),
      transports: [transport],
    })
    for (let i = 0; i < 30; i++) logger.info('user %s logged in', `u${i}`)
    logger.warn('disk at %d%%', 91)
    logger.error('payment failed', { orderId: 7 })
    await settle()
    expect(lines.map((l) => l.message)).toEqual(['disk at 91%', 'payment failed'])
    expect(lines[1]).toMatchObject({ orderId: 7, level: 'error' })
    // Kept whole (rate 1): the signature would only restate the pattern, so the line has none.
    expect(lines[0]?.signature).toBeUndefined()
    const info = integrationOf(sieve)
      .sampler.stats.snapshot()
      .rows.find((r) => r.level === 'info')
    expect(info).toMatchObject({ template: 'user %s logged in', seen: 30, kept: 0 })
  })

  it('checks the level first: disabled levels are not even counted', async () => {
    const { transport } = sink()
    const sieve = sieveWith({})
    const logger = winston.createLogger({ level: 'info', format: format.json(), transports: [transport] })
    attachSieve(logger, sieve)
    for (let i = 0; i < 10; i++) logger.debug('noise %d', i)
    logger.info('counted')
    await settle()
    const rows = integrationOf(sieve).sampler.stats.snapshot().rows
    expect(rows.map((r) => r.level)).toEqual(['info'])
    // The live level is followed after attach.
    logger.level = 'debug'
    logger.debug('now counted')
    expect(
      integrationOf(sieve)
        .sampler.stats.snapshot()
        .rows.map((r) => r.level),
    ).toEqual(['debug'])
  })

  it('adds sample_rate for sampled patterns and keeps child metadata', async () => {
    const { lines, transport } = sink()
    const sieve = sieveWith({ info: 0.25 })
    const logger = winston.createLogger({
      format: format.combine(format.splat(), format.json()),
      transports: [transport],
    })
    attachSieve(logger, sieve)
    const child = logger.child({ component: 'queue' })
    for (let i = 0; i < 400; i++) child.info('job %d done', i)
    await settle()
    expect(lines.length).toBeGreaterThan(50)
    expect(lines.length).toBeLessThan(160)
    // Each kept line stands for itself and the lines dropped since the previous kept one.
    let previous = -1
    for (const l of lines) {
      expect(l).toMatchObject({ component: 'queue' })
      const i = Number(String(l.message).match(/^job (\d+) done$/)?.[1])
      expect(l.sample_rate ?? 1).toBe(i - previous)
      previous = i
    }
  })

  it('keeps the first line of a sampled pattern each minute, without sample_rate (weight 1)', async () => {
    const { lines, transport } = sink()
    const sieve = sieveWith({ info: 0.001 }, 1)
    const logger = winston.createLogger({
      format: format.combine(format.splat(), format.json()),
      transports: [transport],
    })
    attachSieve(logger, sieve)
    for (let i = 0; i < 200; i++) logger.info('poll %d', i)
    await settle()
    expect(lines[0]).toMatchObject({ message: 'poll 0' })
    expect(lines[0]?.sample_rate).toBeUndefined()
    // A minute may turn during the loop (one more floor line); at rate 1/1000 the rest are rare and weighted.
    expect(lines.filter((l) => l.sample_rate === undefined).length).toBeLessThanOrEqual(2)
    // Any later kept line (a random draw at 1/1000, or the next minute's floor line) stands for the lines
    // dropped since the previous kept one.
    for (let k = 1; k < lines.length; k++) {
      const gap = Number(String(lines[k]?.message).slice(5)) - Number(String(lines[k - 1]?.message).slice(5))
      expect(lines[k]?.sample_rate ?? 1).toBe(gap)
    }
  })

  it('counts the real size of kept lines, and estimates dropped ones from them', async () => {
    const chunks: string[] = []
    const stream = new Writable({
      write(chunk, _enc, cb) {
        chunks.push(String(chunk))
        cb()
      },
    })
    let n = 0
    const sieve = createSieve({
      service: 'winston-test',
      cacheDir: false,
      policy: { service: 'winston-test', version: 1, defaults: { levels: { info: 0.5 }, floorPerMinute: 0 } },
      // dropped, kept, dropped, kept…: every kept line stands for two (sample_rate 2), so all are one size
      random: () => (n++ % 2 === 0 ? 0.9 : 0.1),
    })
    const logger = winston.createLogger({
      format: format.combine(format.splat(), format.json()),
      transports: [new winston.transports.Stream({ stream })],
    })
    attachSieve(logger, sieve)
    for (let i = 10; i < 30; i++) logger.info('order %d placed for %s', i, 'ascii')
    await settle()
    const row = integrationOf(sieve).sampler.stats.snapshot().rows[0]
    expect(row).toMatchObject({ seen: 20, kept: 10 })
    const real = chunks.map((c) => c.length)
    expect(row?.keptBytes).toBe(real.reduce((a, b) => a + b, 0))
    // Same size each: dropped lines after the first kept one are estimated exactly; the very first line,
    // dropped before any was measured, from its message length + 64.
    expect(new Set(real).size).toBe(1)
    expect((row?.bytes ?? 0) - (row?.keptBytes ?? 0)).toBe(
      9 * (real[0] ?? 0) + 'order %d placed for %s'.length + 64,
    )
  })

  it('backfills a scope’s dropped lines before its error, in order, with trace ids', async () => {
    const { lines, transport } = sink()
    const sieve = sieveWith({ info: 0, debug: 0 })
    const logger = winston.createLogger({
      level: 'debug',
      format: format.combine(format.splat(), format.json()),
      transports: [transport],
    })
    attachSieve(logger, sieve)
    let traceId = ''
    // A caller's trace (a trace Logsieve starts itself is not written on the lines).
    const tp = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'
    await sieve.run({ traceparent: tp, requestId: 'req-1' }, async () => {
      traceId = sieve.traceparent()?.split('-')[1] ?? ''
      logger.debug('fetching %s', 'user')
      await settle()
      logger.info('got %d rows', 3)
      logger.error('render failed')
      logger.info('after the error')
    })
    logger.info('outside')
    logger.error('outside error')
    await settle()
    expect(lines.map((l) => l.message)).toEqual([
      'fetching user',
      'got 3 rows',
      'render failed',
      'outside error',
    ])
    expect(lines.slice(0, 2).every((l) => l.backfilled === true)).toBe(true)
    expect(lines[2]?.backfilled).toBeUndefined()
    expect(lines.slice(0, 3).every((l) => l.trace_id === traceId && l.request_id === 'req-1')).toBe(true)
  })

  it('never throws on odd messages', async () => {
    const { lines, transport } = sink()
    const sieve = sieveWith({})
    const logger = winston.createLogger({ format: format.json(), transports: [transport] })
    attachSieve(logger, sieve)
    const circular: Record<string, unknown> = { a: 1 }
    circular.self = circular
    expect(() => {
      logger.info({ message: 42 } as unknown as string)
      logger.info('x'.repeat(1_000_000))
      logger.info('circular', { circular: { note: 'fine' } })
      logger.log({ level: 'info', message: undefined as unknown as string })
      logger.info(new Error('as info') as unknown as string)
    }).not.toThrow()
    await settle()
    expect(lines.length).toBeGreaterThanOrEqual(4)
  })

  it('writes no signature by default, as pino does, even on lines of a sampled pattern', async () => {
    const { lines, transport } = sink()
    const logger = winston.createLogger({ format: format.json(), transports: [transport] })
    attachSieve(logger, sieveWith({ info: 0.5 }))
    for (let i = 0; i < 40; i++) logger.info('sampled line')
    await settle()
    expect(lines.length).toBeGreaterThan(5)
    expect(lines.filter((l) => l.signature !== undefined)).toEqual([])
  })

  it('writes only the fields that earn their bytes, each switchable, never over a key the line has', async () => {
    const { lines, transport } = sink()
    const sieve = sieveWith({ info: 0.5, debug: 1 })
    const logger = winston.createLogger({ level: 'debug', format: format.json(), transports: [transport] })
    // signature is off by default (as in pino); on, it marks the lines of sampled patterns only.
    attachSieve(logger, sieve, { signatureField: true })
    // Outside a scope: each line draws on its own (inside one, a trace's lines share one decision).
    for (let i = 0; i < 40; i++) logger.info('sampled line')
    await sieve.run({ requestId: 'r-1' }, async () => {
      logger.debug('whole line')
      // What OpenTelemetry's winston instrumentation does: the record already has its trace ids.
      logger.debug('instrumented', { trace_id: 'otel-trace', span_id: 'otel-span' })
    })
    await settle()
    const sampled = lines.filter((l) => l.message === 'sampled line')
    expect(sampled.length).toBeGreaterThan(5)
    for (const l of sampled) {
      expect(l.signature).toMatch(/^[0-9a-f]{16}$/)
      // sample_rate only when the line stands for more than itself; never a restating 1.
      if (l.sample_rate !== undefined) expect(l.sample_rate).toBeGreaterThan(1)
      expect(l.trace_id).toBeUndefined()
    }
    // Kept whole, in a trace Logsieve started itself: no signature, no trace ids, just the caller's request id.
    const whole = lines.find((l) => l.message === 'whole line')
    expect(Object.keys(whole ?? {}).sort()).toEqual(['level', 'message', 'request_id'])
    const instrumented = lines.find((l) => l.message === 'instrumented')
    expect(instrumented).toMatchObject({ trace_id: 'otel-trace', span_id: 'otel-span' })

    // Each field can be forced on or switched off.
    const forced = sink()
    const always = winston.createLogger({ format: format.json(), transports: [forced.transport] })
    attachSieve(always, sieveWith({}), {
      signatureField: 'always',
      traceFields: 'always',
      scopeFields: false,
    })
    const off = sink()
    const never = winston.createLogger({ format: format.json(), transports: [off.transport] })
    attachSieve(never, sieveWith({ info: 0.5 }), { signatureField: false, traceFields: false })
    const tp = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'
    await sieve.run({ requestId: 'r-2' }, async () => always.info('forced'))
    await sieve.run({ traceparent: tp }, async () => {
      for (let i = 0; i < 20; i++) never.info('quiet')
    })
    await settle()
    expect(forced.lines[0]?.signature).toMatch(/^[0-9a-f]{16}$/)
    expect(forced.lines[0]?.trace_id).toMatch(/^[0-9a-f]{32}$/)
    expect(forced.lines[0]?.request_id).toBeUndefined()
    expect(off.lines.length).toBeGreaterThan(0)
    for (const l of off.lines) {
      expect(l.signature).toBeUndefined()
      expect(l.trace_id).toBeUndefined()
    }
  })

  it('reports written and plain bytes: plain is what the same logger without Logsieve writes', async () => {
    const written: string[] = []
    const plain: string[] = []
    const into = (out: string[]) =>
      new winston.transports.Stream({
        stream: new Writable({
          write(chunk, _enc, cb) {
            out.push(String(chunk))
            cb()
          },
        }),
      })
    const sieve = sieveWith({})
    const logger = winston.createLogger({
      format: format.combine(format.splat(), format.json()),
      transports: [into(written)],
    })
    const shadow = winston.createLogger({
      format: format.combine(format.splat(), format.json()),
      transports: [into(plain)],
    })
    attachSieve(logger, sieve, { signatureField: 'always', traceFields: 'always' })
    const tp = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'
    await sieve.run({ traceparent: tp, requestId: 'req-9', fields: { tenant: 'acme' } }, async () => {
      for (let i = 0; i < 10; i++) {
        logger.info('order %d placed for %s', i, 'ascii')
        shadow.info('order %d placed for %s', i, 'ascii')
      }
    })
    await settle()
    const bytes = (out: string[]) => out.reduce((n, c) => n + Buffer.byteLength(c), 0)
    const row = integrationOf(sieve).sampler.stats.snapshot().rows[0]
    expect(row).toMatchObject({ seen: 10, kept: 10 })
    expect(row?.keptBytes).toBe(bytes(written))
    expect(row?.plainBytes).toBe(bytes(plain))
    expect(bytes(written)).toBeGreaterThan(bytes(plain))
  })

  it('signs message-less lines by their structure: one pattern per statement, not one for all', async () => {
    const { lines, transport } = sink()
    const sieve = sieveWith({})
    const logger = winston.createLogger({ format: format.json(), transports: [transport] })
    attachSieve(logger, sieve, { signatureField: 'always' })
    for (let i = 0; i < 3; i++) {
      logger.info({ event: 'cart.updated', cartId: `c${i}` } as unknown as string)
      logger.info({ event: 'order.paid', orderId: i } as unknown as string)
      logger.info({ userId: i, plan: 'pro' } as unknown as string)
    }
    await settle()
    const templates = integrationOf(sieve)
      .sampler.stats.snapshot()
      .rows.map((r) => r.template)
      .sort()
    expect(templates).toEqual(['[event] cart.updated', '[event] order.paid', '{plan,userId}'])
    expect(new Set(lines.map((l) => l.signature)).size).toBe(3)
  })
})
