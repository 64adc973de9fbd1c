// A whole service's own throughput (issue 19): an Express + pino service at saturation, requests/s with
// Logsieve at a 90% cut against the same service with plain pino, in one run (target ≥ 1.0×). Each
// variant serves from a child process of its own (as two deployments would); autocannon drives them from
// this one, the variants alternating so that drift on a shared machine hits both alike. The cut is
// measured, not assumed: each service counts the bytes its logger wrote.
import { spawn } from 'node:child_process'
import { openSync, writeSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import express from 'express'
import pino from 'pino'
import { createSieve } from '../packages/node/src/index.js'
import { sievePino } from '../packages/pino/src/index.js'

const CONNECTIONS = 32
const SECONDS = 5
const ROUNDS = 3

type Variant = 'plain' | 'sieved'
interface Served {
  url: string
}
interface AutocannonResult {
  requests: { average: number; total: number }
  non2xx: number
  errors: number
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
  app.get('/bytes', (_req, res) => {
    res.json({ bytes })
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

export default async function (): Promise<void> {
  const autocannon = createRequire(new URL('../packages/server/package.json', import.meta.url))(
    'autocannon',
  ) as (opts: object) => Promise<AutocannonResult>
  console.log(
    `Express 5 + pino 10 service at saturation: autocannon, ${CONNECTIONS} connections, ${SECONDS} s a round, ${ROUNDS} rounds a variant (alternating, each service in its own process)\n`,
  )
  const rps: Record<Variant, number[]> = { plain: [], sieved: [] }
  const bytesPerRequest: Record<Variant, number> = { plain: 0, sieved: 0 }
  for (let r = 0; r < ROUNDS; r++) {
    for (const variant of ['plain', 'sieved'] as const) {
      const { served, stop } = await start(variant)
      try {
        const path = `${served.url}/cart/c${r}`
        await autocannon({ url: path, connections: CONNECTIONS, duration: 1 }) // warm up the JIT
        const before = ((await (await fetch(`${served.url}/bytes`)).json()) as { bytes: number }).bytes
        const result = await autocannon({ url: path, connections: CONNECTIONS, duration: SECONDS })
        const after = ((await (await fetch(`${served.url}/bytes`)).json()) as { bytes: number }).bytes
        if (result.non2xx > 0 || result.errors > 0)
          throw new Error(`${variant}: ${result.non2xx} non-2xx, ${result.errors} errors`)
        rps[variant].push(result.requests.average)
        bytesPerRequest[variant] = (after - before) / result.requests.total
      } finally {
        stop()
      }
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number
  const plain = median(rps.plain)
  const sieved = median(rps.sieved)
  const fmt = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(', ')
  console.log(
    `  plain pino          ${plain.toFixed(0).padStart(6)} req/s (rounds: ${fmt(rps.plain)}), ${bytesPerRequest.plain.toFixed(0)} B of logs a request`,
  )
  console.log(
    `  with Logsieve       ${sieved.toFixed(0).padStart(6)} req/s (rounds: ${fmt(rps.sieved)}), ${bytesPerRequest.sieved.toFixed(0)} B of logs a request`,
  )
  console.log(
    `  ratio ${(sieved / plain).toFixed(3)} (target ≥ 1.0), logs written ${((100 * bytesPerRequest.sieved) / bytesPerRequest.plain).toFixed(1)}% of plain pino's`,
  )
}

// Child side: serve one variant until killed.
const serveArg = process.argv.indexOf('--serve')
if (serveArg > 0) serve(process.argv[serveArg + 1] === 'sieved' ? 'sieved' : 'plain')
