// The two applications of `pnpm eval:field`, written as the docs say: an Express 5 + pino service and a
// winston worker, each with a plain shadow logger that gets the same calls.
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { Writable } from 'node:stream'
import type { Policy } from '@logsieve/core'
import { createSieve, type Sieve } from '@logsieve/node'
import { sievePino } from '@logsieve/pino'
import { attachSieve } from '@logsieve/winston'
import express from 'express'
import { pino } from 'pino'
import winston from 'winston'
import { FieldMeter, pinoLevel, winstonLevel } from './field-meter.js'

export interface FieldApp {
  name: string
  meter: FieldMeter
  started: number
  sieve: Sieve
  close(): Promise<void>
}

const sink = (write: (text: string) => void) =>
  new Writable({
    write(chunk, _enc, done) {
      write(String(chunk))
      done()
    },
  })

function sieveFor(service: string, url: string, apiKey: string, meter: FieldMeter): Sieve {
  return createSieve({
    service,
    environment: 'eval',
    server: { url, apiKey },
    cacheDir: false,
    onPolicy(policy: Policy) {
      if (meter.policyAt === undefined && policy.version > 0) meter.policyAt = Date.now()
    },
  })
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T
const SKUS = ['sku-1001', 'sku-2002', 'sku-3003', 'sku-4004', 'sku-5005'] as const

/** Express 5 + pino: per-request lines, a debug loop, a child logger, template literals, structured-only lines. */
export async function startPinoService(url: string, apiKey: string): Promise<FieldApp & { url: string }> {
  const meter = new FieldMeter(pinoLevel)
  const started = Date.now()
  const sieve = sieveFor('field-pino', url, apiKey, meter)
  const log = pino(sievePino(sieve, { level: 'debug' }), { write: (s: string) => meter.kept(s) })
  const plain = pino({ level: 'debug' }, { write: (s: string) => meter.shadow(s) })
  const app = express()
  app.use(sieve.express())
  app.use((req, res, next) => {
    const t0 = Date.now()
    res.on('finish', () => {
      const line = { method: req.method, url: req.url, status: res.statusCode, durationMs: Date.now() - t0 }
      plain.info(line, 'request completed')
      log.info(line, 'request completed')
    })
    next()
  })
  app.get('/cart/:id', (req, res) => {
    const id = req.params.id
    const user = `u${Math.floor(Math.random() * 5000)}`
    const rlog = log.child({ route: 'cart', user })
    const rplain = plain.child({ route: 'cart', user })
    const both = (fn: (l: typeof rlog) => void) => {
      fn(rplain)
      fn(rlog)
    }
    const items = 3 + Math.floor(Math.random() * 6)
    for (let i = 0; i < items; i++) {
      const sku = pick(SKUS)
      const qty = 1 + Math.floor(Math.random() * 3)
      both((l) => l.debug({ sku, qty }, 'pricing item %s', sku))
      const hit = Math.random() < 0.8
      both((l) => l.debug(`cache ${hit ? 'hit' : 'miss'} for ${sku}`))
    }
    const ms = Math.floor(Math.random() * 80)
    both((l) => l.info(`loaded cart ${id} with ${items} items in ${ms}ms`))
    both((l) => l.info({ event: 'cart.updated', cartId: id, items }))
    if (Math.random() < 0.02) both((l) => l.warn({ sku: SKUS[0] }, 'low stock for %s', SKUS[0]))
    if (Math.random() < 0.005) {
      const err = new Error(`card declined for cart ${id}`)
      both((l) => l.error({ err }, 'payment failed for cart %s', id))
    }
    res.json({ ok: true })
  })
  app.get('/boom/:id', (req) => {
    throw new Error(`inventory service unavailable for ${req.params.id}`)
  })
  // The shadow logs what Logsieve's error handler logs, then Logsieve's handler does.
  app.use((err: Error, req: express.Request, _res: express.Response, next: express.NextFunction) => {
    plain.error({ err, method: req.method, url: req.url }, 'unhandled error')
    next(err)
  })
  app.use(sieve.expressErrorHandler({ logger: log }))
  app.use((_err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(500).json({ ok: false })
  })
  const server = app.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return {
    name: 'pino',
    meter,
    started,
    sieve,
    url: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await sieve.shutdown()
    },
  }
}

/** A winston worker: jobs in scopes, a debug-heavy loop, child loggers, retries and failures. */
export function startWinstonWorker(url: string, apiKey: string, jobsPerSecond: number): FieldApp {
  const meter = new FieldMeter(winstonLevel)
  const started = Date.now()
  const sieve = sieveFor('field-winston', url, apiKey, meter)
  const format = () => winston.format.combine(winston.format.splat(), winston.format.json())
  const logger = winston.createLogger({
    level: 'debug',
    format: format(),
    transports: [new winston.transports.Stream({ stream: sink((s) => meter.kept(s)) })],
  })
  attachSieve(logger, sieve)
  const plain = winston.createLogger({
    level: 'debug',
    format: format(),
    transports: [new winston.transports.Stream({ stream: sink((s) => meter.shadow(s)) })],
  })
  let n = 0
  const timer = setInterval(() => {
    for (let k = 0; k < jobsPerSecond / 10; k++) {
      const id = ++n
      const type = pick(['email', 'invoice', 'thumbnail'] as const)
      void sieve.run({}, async () => {
        const jlog = logger.child({ jobId: id })
        const jplain = plain.child({ jobId: id })
        const both = (fn: (l: winston.Logger) => void) => {
          fn(jplain)
          fn(jlog)
        }
        both((l) => l.info(`processing job ${id} of type ${type}`))
        const steps = 4 + Math.floor(Math.random() * 6)
        for (let s = 0; s < steps; s++) {
          both((l) => l.debug('step %d of job %d took %dms', s, id, Math.floor(Math.random() * 40)))
        }
        both((l) => l.debug('fetched batch', { batch: id % 97, size: steps * 10 }))
        if (Math.random() < 0.03) both((l) => l.warn('retrying job %d (attempt %d)', id, 2))
        if (Math.random() < 0.01) {
          const err = new Error(`smtp timeout for job ${id}`)
          both((l) => l.error(`job ${id} failed: ${err.message}`, { stack: err.stack }))
        }
        both((l) => l.info({ message: '', event: 'job.done', jobId: id, ms: steps * 7 }))
      })
    }
  }, 100)
  return {
    name: 'winston',
    meter,
    started,
    sieve,
    async close() {
      clearInterval(timer)
      await sieve.shutdown()
      await new Promise((r) => setTimeout(r, 100))
    },
  }
}
