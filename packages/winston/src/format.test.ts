import { Writable } from 'node:stream'
import { createSieve, type Sieve } from '@logsieve/node'
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
    expect(lines[0]?.signature).toMatch(/^[0-9a-f]{16}$/)
    const info = sieve.sampler.stats.snapshot().rows.find((r) => r.level === 'info')
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
    const rows = sieve.sampler.stats.snapshot().rows
    expect(rows.map((r) => r.level)).toEqual(['info'])
    // The live level is followed after attach.
    logger.level = 'debug'
    logger.debug('now counted')
    expect(sieve.sampler.stats.snapshot().rows.map((r) => r.level)).toEqual(['debug'])
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
    const row = sieve.sampler.stats.snapshot().rows[0]
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
    await sieve.run({ requestId: 'req-1' }, async () => {
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
})
