// Counts that add up (issue 14): Σ sample_rate over the lines written, backfilled ones included, is the
// number of calls — a backfilled line weighs 0, since the next kept line of its pattern counts it.
import { computeSignature, type StatsTable } from '@logsieve/core'
import { createSieve, integrationOf } from '@logsieve/node'
import pino from 'pino'
import { expect, it } from 'vitest'
import { sievePino } from './index.js'

/** A sieve sampling debug at `debugRate` (draws fixed at `random`), and a pino logger writing to `lines`. */
function sieved(debugRate: number, random: number) {
  const lines: string[] = []
  const sieve = createSieve({
    service: 'counts',
    cacheDir: false,
    random: () => random,
    policy: { service: 'counts', version: 1, defaults: { levels: { debug: debugRate }, floorPerMinute: 0 } },
  })
  const log = pino(sievePino(sieve, { level: 'debug' }), { write: (s: string) => void lines.push(s) })
  return { lines, sieve, log }
}

it('Σ sample_rate over written lines equals the calls, with backfill around errors', async () => {
  // Outside scopes every line is kept (random 0): the last lines carry the drops before them.
  const { lines: text, sieve, log } = sieved(0.25, 0)
  let calls = 0
  for (let r = 0; r < 200; r++) {
    await sieve.run({}, async () => {
      for (let i = 0; i < 5; i++, calls++) log.debug('step %d of request %d', i, r)
      if (r % 10 === 0) log.error('request %d failed', r)
    })
  }
  log.debug('step %d of request %d', 0, -1)
  calls++
  const lines = text.map((l) => JSON.parse(l) as Record<string, unknown>)
  const debug = lines.filter((l) => l.level === 20)
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
  const { lines, sieve, log } = sieved(0.01, 0.99)
  const stack = 'x'.repeat(1000)
  for (let r = 0; r < 300; r++) {
    await sieve.run({}, async () => {
      log.debug('step %d', r)
      log.error({ stack }, 'request %d failed', r)
    })
  }
  const errors = lines.filter((l) => l.includes('"level":50'))
  const written = errors.reduce((n, l) => n + Buffer.byteLength(l), 0) / errors.length
  const row = (integrationOf(sieve).sampler.stats as StatsTable)
    .snapshot()
    .rows.find((r) => r.level === 'error')
  expect(row?.kept).toBe(300)
  // Measured from the error lines themselves (within a few bytes), not from the debug lines before them.
  expect(Math.abs((row?.keptBytes ?? 0) / 300 - written)).toBeLessThan(written * 0.05)
  await sieve.shutdown()
})

it('counts every line a level method answers from a lane, kept whole or muted, root and child alike', async () => {
  const lines: string[] = []
  const muted = 'cache miss'
  const sieve = createSieve({
    service: 'counts',
    cacheDir: false,
    policy: {
      service: 'counts',
      version: 1,
      defaults: { newPattern: { rate: 1 }, floorPerMinute: 0 },
      rules: [{ signature: computeSignature(muted).signature, rate: 0 }],
    },
  })
  const sampler = integrationOf(sieve).sampler
  const again = sampler.again
  let answered = 0
  sampler.again = (lane) => {
    const d = again(lane)
    if (d !== undefined) answered++
    return d
  }
  const log = pino(sievePino(sieve), { write: (s: string) => void lines.push(s) })
  const child = log.child({ svc: 'a' })
  for (let burst = 0; burst < 100; burst++) {
    const l = burst % 2 === 0 ? log : child
    for (let i = 0; i < 30; i++) l.info({ orderId: i }, 'order placed')
    for (let i = 0; i < 20; i++) l.info({ key: i }, muted)
    for (let i = 0; i < 10; i++) l.info('order %d shipped to %s', i, 'x')
  }
  const rows = (sampler.stats as StatsTable).snapshot().rows
  const row = (template: string) => rows.find((r) => r.template === template)
  expect(row('order placed')).toMatchObject({ seen: 3000, kept: 3000 })
  expect(row('cache miss')).toMatchObject({ seen: 2000, kept: 0 })
  expect(row('order %d shipped to %s')).toMatchObject({ seen: 1000, kept: 1000 })
  expect(lines).toHaveLength(4000)
  // Most lines were answered by a lane (the rest: the first lines, measured ones, each burst's first).
  expect(answered).toBeGreaterThan(4000)
  await sieve.shutdown()
})
