// Counts that add up (issue 14): Σ sample_rate over the lines written, backfilled ones included, is the
// number of calls — a backfilled line weighs 0, since the next kept line of its pattern counts it.
import { Writable } from 'node:stream'
import type { StatsTable } from '@logsieve/core'
import { createSieve, integrationOf } from '@logsieve/node'
import { expect, it } from 'vitest'
import winston from 'winston'
import { attachSieve } from './index.js'

/** A sieve sampling debug at `debugRate` (draws fixed at `random`), and a winston logger writing to `lines`. */
function sieved(debugRate: number, random: number) {
  const lines: string[] = []
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const s of String(chunk).split('\n')) if (s) lines.push(s)
      cb()
    },
  })
  const sieve = createSieve({
    service: 'counts',
    cacheDir: false,
    random: () => random,
    policy: { service: 'counts', version: 1, defaults: { levels: { debug: debugRate }, floorPerMinute: 0 } },
  })
  const logger = winston.createLogger({
    level: 'debug',
    format: winston.format.combine(winston.format.splat(), winston.format.json()),
    transports: [new winston.transports.Stream({ stream })],
  })
  attachSieve(logger, sieve)
  return { lines, sieve, logger }
}

it('Σ sample_rate over written lines equals the calls, with backfill around errors', async () => {
  // Outside scopes every line is kept (random 0): the last lines carry the drops before them.
  const { lines: text, sieve, logger } = sieved(0.25, 0)
  let calls = 0
  for (let r = 0; r < 200; r++) {
    await sieve.run({}, async () => {
      for (let i = 0; i < 5; i++, calls++) logger.debug('step %d of request %d', i, r)
      if (r % 10 === 0) logger.error('request %d failed', r)
    })
  }
  logger.debug('step %d of request %d', 0, -1)
  calls++
  await new Promise((r) => setTimeout(r, 50))
  const lines = text.map((l) => JSON.parse(l) as Record<string, unknown>)
  const debug = lines.filter((l) => l.level === 'debug')
  expect(debug.some((l) => l.backfilled === true)).toBe(true)
  expect(debug.some((l) => l.backfilled === undefined && (l.sample_rate as number) > 1)).toBe(true)
  expect(debug.reduce((n, l) => n + ((l.sample_rate as number | undefined) ?? 1), 0)).toBe(calls)
  // The stats say how many dropped lines came back, so the server can budget them.
  const rows = (integrationOf(sieve).sampler.stats as StatsTable)
    .snapshot()
    .rows.filter((r) => r.level === 'debug')
  const backfilled = debug.filter((l) => l.backfilled === true).length
  expect(rows.reduce((n, r) => n + (r.backfilled ?? 0), 0)).toBe(backfilled)
  await sieve.shutdown()
})

it('measures an error that releases backfilled lines at its own written size, not a backfilled line’s', async () => {
  const { lines, sieve, logger } = sieved(0.01, 0.99)
  const stack = 'x'.repeat(1000)
  for (let r = 0; r < 300; r++) {
    await sieve.run({}, async () => {
      logger.debug('step %d', r)
      logger.error(`request ${r} failed`, { stack })
    })
  }
  await new Promise((r) => setTimeout(r, 50))
  const errors = lines.filter((l) => l.includes('"level":"error"'))
  const written = errors.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0) / errors.length
  const row = (integrationOf(sieve).sampler.stats as StatsTable)
    .snapshot()
    .rows.find((r) => r.level === 'error')
  expect(row?.kept).toBe(300)
  // Measured from the error lines themselves (within a few bytes), not estimated from the message.
  expect(Math.abs((row?.keptBytes ?? 0) / 300 - written)).toBeLessThan(written * 0.05)
  await sieve.shutdown()
})
