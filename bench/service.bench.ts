// A whole service's own throughput (issue 19): an Express + pino service at saturation, requests/s with
// Logsieve at a 90% cut against the same service with plain pino, in one run (target ≥ 1.0×). Each
// variant serves from a child process of its own (as two deployments would), started once and warmed up;
// autocannon drives them from this process in short rounds, alternating (plain first in one round, sieved
// first in the next) so that drift on a shared machine hits both alike, and the medians count. Each
// service also reports its own CPU time per request, which other processes on the machine disturb less
// than requests/s. The cut is measured, not assumed: each service counts the bytes its logger wrote.
import { spawn } from 'node:child_process'
import { openSync, writeSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import { loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'
import express from 'express'
import pino from 'pino'
import { createSieve } from '../packages/node/src/index.js'
import { sievePino } from '../packages/pino/src/index.js'

const CONNECTIONS = 32
const WARMUP_SECONDS = 2
const SECONDS = 3
const ROUNDS = 8

type Variant = 'plain' | 'sieved'
interface Served {
  url: string
}
interface AutocannonResult {
  requests: { average: number; total: number }
  non2xx: number
  errors: number
}
/** What a service says about itself: bytes its logger wrote, requests served, CPU µs it used. */
interface Counters {
  bytes: number
  served: number
  cpu: number
}

/**
 * The service: per request a request line, an info line with values, a few debug lines, a child
 * logger's line with a template-literal message, a warn one request in 50 and an error (with backfill)
 * one in 200, as in the field test of the budget issue.
 */
function serve(variant: Variant): void {
  const fd = openSync('/dev/null', 'w')
  let bytes = 0
  // A real destination (a system call per line, as a file), which also counts what the logger wrote.
  const dest = {
    write(s: string) {
      bytes += Buffer.byteLength(s)
      writeSync(fd, s)
    },
  }
  let served = 0
  const options = { level: 'debug' }
  const sieve =
    variant === 'sieved'
      ? createSieve({
          service: 'shop',
          cacheDir: false,
          // What a 90% budget leaves for this service (the printed cut checks it).
          policy: { service: 'shop', version: 1, defaults: { levels: { debug: 0, info: 0.12 } } },
        })
      : undefined
  const log = sieve ? pino(sievePino(sieve, options), dest) : pino(options, dest)
  const app = express()
  if (sieve) app.use(sieve.express({ logger: log, requestLog: true }))
  else {
    app.use((req, res, next) => {
      const start = performance.now()
      res.once('finish', () =>
        log.info(
          {
            method: req.method,
            url: req.originalUrl,
            status: res.statusCode,
            durationMs: performance.now() - start,
          },
          'request completed',
        ),
      )
      next()
    })
  }
  const pricing = log.child({ component: 'pricing' })
  let n = 0
  app.get('/cart/:id', (req, res) => {
    served++
    const id = req.params.id
    const i = n++
    log.info({ cartId: id }, 'cart %s requested by %s', id, `user-${i % 1000}`)
    for (let k = 0; k < 4; k++) log.debug({ item: k, cartId: id }, 'pricing item %d of cart %s', k, id)
    const total = (i % 97) * 3.5
    pricing.info({ total }, `cart ${id} total computed`)
    if (i % 50 === 0) log.warn({ cartId: id }, 'inventory lookup slow')
    if (i % 200 === 0) log.error({ err: new Error('payment declined'), cartId: id }, 'payment failed')
    res.json({ id, total })
  })
  app.get('/counters', (_req, res) => {
    const cpu = process.cpuUsage()
    res.json({ bytes, served, cpu: cpu.user + cpu.system } satisfies Counters)
  })
  const server = app.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo
    process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` } satisfies Served)}\n`)
  })
}

async function start(variant: Variant): Promise<{ served: Served; stop: () => void }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), '--serve', variant],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  const served = await new Promise<Served>((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString()
      const nl = out.indexOf('\n')
      if (nl >= 0) resolve(JSON.parse(out.slice(0, nl)) as Served)
    })
    child.once('exit', (code) => reject(new Error(`service (${variant}) exited with ${code}`)))
  })
  return { served, stop: () => child.kill() }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2
}
const load = () =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')

export default async function (): Promise<void> {
  const autocannon = createRequire(new URL('../packages/server/package.json', import.meta.url))(
    'autocannon',
  ) as (opts: object) => Promise<AutocannonResult>
  console.log(
    `Express 5 + pino 10 service at saturation: autocannon, ${CONNECTIONS} connections, ${ROUNDS} rounds of ${SECONDS} s a variant (alternating, each service in its own process)`,
  )
  console.log(`load average at the start: ${load()}\n`)
  const variants = ['plain', 'sieved'] as const
  const plainService = await start('plain')
  const sievedService = await start('sieved').catch((error: unknown) => {
    plainService.stop()
    throw error
  })
  const services = { plain: plainService, sieved: sievedService }
  const counters = async (v: Variant) =>
    (await (await fetch(`${services[v].served.url}/counters`)).json()) as Counters
  const rps: Record<Variant, number[]> = { plain: [], sieved: [] }
  const cpu: Record<Variant, number[]> = { plain: [], sieved: [] }
  const bytes: Record<Variant, number> = { plain: 0, sieved: 0 }
  const served: Record<Variant, number> = { plain: 0, sieved: 0 }
  try {
    const url = (v: Variant) => `${services[v].served.url}/cart/c1`
    // The warm-up alternates too: a service left idle after its warm-up served its first round slowly.
    for (let w = 0; w < 2; w++)
      for (const v of variants)
        await autocannon({ url: url(v), connections: CONNECTIONS, duration: WARMUP_SECONDS })
    for (let r = 0; r < ROUNDS; r++) {
      for (const v of r % 2 === 0 ? variants : ([...variants].reverse() as Variant[])) {
        const before = await counters(v)
        const result = await autocannon({ url: url(v), connections: CONNECTIONS, duration: SECONDS })
        const after = await counters(v)
        if (result.non2xx > 0 || result.errors > 0)
          throw new Error(`${v}: ${result.non2xx} non-2xx, ${result.errors} errors`)
        rps[v].push(result.requests.average)
        cpu[v].push((after.cpu - before.cpu) / (after.served - before.served))
        bytes[v] += after.bytes - before.bytes
        served[v] += after.served - before.served
      }
    }
  } finally {
    for (const v of variants) services[v].stop()
  }
  const fmt = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(', ')
  const perRequest = (v: Variant) => bytes[v] / served[v]
  for (const [v, label] of [
    ['plain', 'plain pino'],
    ['sieved', 'with Logsieve'],
  ] as const) {
    console.log(
      `  ${label.padEnd(14)} ${median(rps[v]).toFixed(0).padStart(6)} req/s (rounds: ${fmt(rps[v])}), ${median(cpu[v]).toFixed(0)} µs CPU a request (rounds: ${fmt(cpu[v])}), ${perRequest(v).toFixed(0)} B of logs a request`,
    )
  }
  const paired = rps.sieved.map((x, i) => x / (rps.plain[i] as number))
  console.log(
    `  ratio ${(median(rps.sieved) / median(rps.plain)).toFixed(3)} (target ≥ 1.0; paired rounds: median ${median(paired).toFixed(3)}, ${Math.min(...paired).toFixed(2)}–${Math.max(...paired).toFixed(2)}), by CPU time a request ${(median(cpu.plain) / median(cpu.sieved)).toFixed(3)}, logs written ${((100 * perRequest('sieved')) / perRequest('plain')).toFixed(1)}% of plain pino's`,
  )
  console.log(`  load average at the end: ${load()}`)
}

// Child side: serve one variant until killed.
const serveArg = process.argv.indexOf('--serve')
if (serveArg > 0) serve(process.argv[serveArg + 1] === 'sieved' ? 'sieved' : 'plain')
