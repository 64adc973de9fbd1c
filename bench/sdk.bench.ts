// SDK overhead as ratios against the plain logger in the same run (DESIGN §9): a dropped pino line
// ≤ 15% of a plain kept pino line; a kept line ≤ 10% over plain pino. Same for winston.
import { createRequire } from 'node:module'
import { Writable } from 'node:stream'
import pino from 'pino'
import { createSieve, type Sieve } from '../packages/node/src/index.js'
import { sievePino } from '../packages/pino/src/index.js'
import type winstonType from '../packages/winston/node_modules/winston/index.js'
import { attachSieve } from '../packages/winston/src/index.js'

// winston is a dependency of the winston package only: load that copy.
const winston = createRequire(new URL('../packages/winston/package.json', import.meta.url))(
  'winston',
) as typeof winstonType

/**
 * CPU ns per call (process.cpuUsage: time this process ran, not wall time, so other processes on a
 * shared machine do not count): the lowest of `rounds` loops, variants interleaved so drift hits all alike.
 */
function compare(variants: Record<string, (i: number) => void>, iterations: number, rounds = 15) {
  const samples: Record<string, number[]> = {}
  for (const [name, fn] of Object.entries(variants)) {
    samples[name] = []
    for (let i = 0; i < iterations; i++) fn(i) // warm up the JIT
  }
  for (let r = 0; r < rounds; r++) {
    for (const [name, fn] of Object.entries(variants)) {
      const start = process.cpuUsage()
      for (let i = 0; i < iterations; i++) fn(i)
      const used = process.cpuUsage(start)
      samples[name]?.push(((used.user + used.system) * 1000) / iterations)
    }
  }
  const out: Record<string, number> = {}
  for (const [name, s] of Object.entries(samples)) out[name] = Math.min(...s)
  return out
}

/** Like compare(), for loggers that finish a write on a later tick: each round waits for the drain. */
async function compareAsync(variants: Record<string, (i: number) => void>, iterations: number, rounds = 15) {
  const best: Record<string, number> = {}
  const drain = () => new Promise((r) => setImmediate(r))
  for (const fn of Object.values(variants)) {
    for (let i = 0; i < iterations; i++) fn(i)
    await drain()
  }
  for (let r = 0; r < rounds; r++) {
    for (const [name, fn] of Object.entries(variants)) {
      const start = process.cpuUsage()
      for (let i = 0; i < iterations; i++) fn(i)
      await drain()
      const used = process.cpuUsage(start)
      best[name] = Math.min(
        best[name] ?? Number.POSITIVE_INFINITY,
        ((used.user + used.system) * 1000) / iterations,
      )
    }
  }
  return best
}

function sieveAt(infoRate: number): Sieve {
  return createSieve({
    service: 'bench',
    cacheDir: false,
    policy: {
      service: 'bench',
      version: 1,
      defaults: { levels: { info: infoRate }, newPattern: { rate: 1 } },
    },
  })
}

const fmt = (ns: number) => `${ns.toFixed(0)} ns`
const ratio = (x: number, base: number) => (x / base).toFixed(3)

function benchPino(): void {
  const sink = { write: (_s: string) => {} }
  const base = { base: { pid: 1, hostname: 'h' } }
  const plain = pino(base, sink)
  const kept = pino(sievePino(sieveAt(1), base), sink)
  const dropped = pino(sievePino(sieveAt(0), base), sink)
  const bare = pino(
    sievePino(sieveAt(1), base, { signatureField: false, traceFields: false, scopeFields: false }),
    sink,
  )
  const ids = Array.from({ length: 1000 }, (_, i) => `user-${i}`)
  const r = compare(
    {
      plain: (i) => plain.info({ orderId: i }, 'order %s placed by %s', i, ids[i % 1000]),
      kept: (i) => kept.info({ orderId: i }, 'order %s placed by %s', i, ids[i % 1000]),
      dropped: (i) => dropped.info({ orderId: i }, 'order %s placed by %s', i, ids[i % 1000]),
      bare: (i) => bare.info({ orderId: i }, 'order %s placed by %s', i, ids[i % 1000]),
    },
    20_000,
  )
  const p = r.plain ?? 1
  console.log('pino 10, line `info({ orderId }, "order %s placed by %s", …)` to a no-op stream')
  console.log(`  plain kept line          ${fmt(p)}`)
  console.log(
    `  with Logsieve, kept      ${fmt(r.kept ?? 0)}  ratio ${ratio(r.kept ?? 0, p)} (≤ 1.10 target)`,
  )
  console.log(
    `  with Logsieve, dropped   ${fmt(r.dropped ?? 0)}  ratio ${ratio(r.dropped ?? 0, p)} (≤ 0.15 target)`,
  )
  console.log(
    `  kept, no added fields    ${fmt(r.bare ?? 0)}  ratio ${ratio(r.bare ?? 0, p)} (signature/trace/scope fields off)`,
  )
}

async function benchWinston(): Promise<void> {
  const { format } = winston
  const make = () => {
    const stream = new Writable({ write: (_c, _e, cb) => cb() })
    return winston.createLogger({
      level: 'info',
      format: format.combine(format.splat(), format.json()),
      transports: [new winston.transports.Stream({ stream })],
    })
  }
  const plain = make()
  const kept = make()
  attachSieve(kept, sieveAt(1))
  const dropped = make()
  attachSieve(dropped, sieveAt(0))
  const r = await compareAsync(
    {
      plain: (i) => plain.info('order %s placed', i, { orderId: i }),
      kept: (i) => kept.info('order %s placed', i, { orderId: i }),
      dropped: (i) => dropped.info('order %s placed', i, { orderId: i }),
    },
    5_000,
  )
  const p = r.plain ?? 1
  console.log('\nwinston 3, `info("order %s placed", i, { orderId })` with splat + json to a no-op stream')
  console.log(`  plain kept line          ${fmt(p)}`)
  console.log(`  with Logsieve, kept      ${fmt(r.kept ?? 0)}  ratio ${ratio(r.kept ?? 0, p)}`)
  console.log(`  with Logsieve, dropped   ${fmt(r.dropped ?? 0)}  ratio ${ratio(r.dropped ?? 0, p)}`)
}

export default async function (): Promise<void> {
  benchPino()
  await benchWinston()
}
