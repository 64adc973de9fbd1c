// The demo's sample service: Express + pino with Logsieve, exactly as a user would set it up, plus two
// counting destinations so the demo can show what the same calls would have cost without Logsieve.
import { once } from 'node:events'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Writable } from 'node:stream'
import type { Policy } from '@logsieve/core'
import { createSieve, type Sieve } from '@logsieve/node'
import { sievePino } from '@logsieve/pino'
import express from 'express'
import { type Logger, pino } from 'pino'

export const SERVICE = 'checkout'
export const ENVIRONMENT = 'demo'

/** The fields a kept line gains from Logsieve (request_id comes from its request scope). */
const ADDED_FIELDS = [
  'signature',
  'sample_rate',
  'trace_id',
  'span_id',
  'request_id',
  'backfilled',
  'logged_at',
]

/** Counts what reaches a destination: lines and bytes per level, errors, backfilled lines. */
export class CountingStream extends Writable {
  lines = 0
  bytes = 0
  errors = 0
  backfilled = 0
  /** Bytes of the fields Logsieve adds to kept lines (parsed streams only). */
  added = 0
  private readonly parse: boolean

  constructor(parse: boolean) {
    super({ decodeStrings: false })
    this.parse = parse
  }

  override _write(chunk: string | Buffer, _enc: BufferEncoding, done: (error?: Error | null) => void): void {
    const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8')
    this.lines++
    this.bytes += Buffer.byteLength(text)
    if (this.parse) {
      const line = JSON.parse(text) as { level: number; backfilled?: boolean } & Record<string, unknown>
      if (line.level >= 50) this.errors++
      if (line.backfilled) this.backfilled++
      for (const key of ADDED_FIELDS) {
        if (line[key] !== undefined) this.added += Buffer.byteLength(`,"${key}":${JSON.stringify(line[key])}`)
      }
    } else if (text.includes('"level":50') || text.includes('"level":60')) {
      this.errors++
    }
    done()
  }
}

type Level = 'debug' | 'info' | 'warn' | 'error'

/** Every call goes to the Logsieve logger and to a plain pino logger that only counts bytes. */
export interface DemoLog {
  call(level: Level, obj: object, format: string, ...args: unknown[]): void
}

export interface DemoService {
  url: string
  sieve: Sieve
  kept: CountingStream
  baseline: CountingStream
  seen: { lines: number; errors: number }
  close(): Promise<void>
}

export interface ServiceOptions {
  serverUrl: string
  ingestKey: string
  onPolicy: (policy: Policy) => void
  /** Phase flags read by the routes on every request. */
  phase: { newPattern: boolean; burst: boolean }
}

export async function startService(options: ServiceOptions): Promise<DemoService> {
  // The three lines a user adds:
  const sieve = createSieve({
    service: SERVICE,
    environment: ENVIRONMENT,
    server: { url: options.serverUrl, apiKey: options.ingestKey },
    follow: 'sse',
    statsIntervalMs: 1_000,
    cacheDir: false,
    onPolicy: options.onPolicy,
  })
  const kept = new CountingStream(true)
  const log: Logger = pino(sievePino(sieve, { level: 'debug' }), kept)

  // The baseline is plain pino given the same calls: "saved" is against the bytes the service writes
  // without Logsieve, so Logsieve's own fields on kept lines count against the saving, never for it.
  const baseline = new CountingStream(false)
  const plain: Logger = pino({ level: 'debug' }, baseline)
  const seen = { lines: 0, errors: 0 }
  const demo: DemoLog = {
    call(level, obj, format, ...args) {
      seen.lines++
      if (level === 'error') seen.errors++
      plain[level](obj, format, ...args)
      log[level](obj, format, ...args)
    },
  }

  const app = express()
  app.use(sieve.express())
  app.get('/cart/:id', (req, res) => {
    handleCart(demo, req.params.id, options.phase)
    res.json({ ok: true })
  })
  const server: Server = app.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo

  return {
    url: `http://127.0.0.1:${port}`,
    sieve,
    kept,
    baseline,
    seen,
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await sieve.shutdown()
    },
  }
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!
const KEYS = ['cart', 'user', 'price', 'stock', 'promo'] as const
const TABLES = ['orders', 'carts', 'inventory'] as const

/** One request's worth of logging: a noisy debug pattern, chatty info, rare warnings, occasional errors. */
function handleCart(log: DemoLog, id: string, phase: ServiceOptions['phase']): void {
  const user = `u${Math.floor(Math.random() * 5000)}`
  for (let i = 0; i < 4; i++) {
    log.call(
      'debug',
      { key: pick(KEYS) },
      'cache lookup for %s:%s hit=%s',
      pick(KEYS),
      id,
      Math.random() < 0.8,
    )
  }
  log.call('debug', {}, 'serializing response for cart %s', id)
  log.call('info', { user }, 'user %s fetched cart %s with %d items', user, id, Math.floor(Math.random() * 9))
  log.call('info', {}, 'pricing service answered in %dms', Math.floor(Math.random() * 80))
  if (Math.random() < 0.2)
    log.call('info', {}, 'inventory sync for warehouse %d done', Math.floor(Math.random() * 9))
  if (phase.burst) {
    for (let i = 0; i < 12; i++) log.call('info', {}, 'inventory sync for warehouse %d done', i)
  }
  if (phase.newPattern) {
    log.call(
      'info',
      { user },
      'recommendations v2 returned %d items for %s',
      Math.floor(Math.random() * 20),
      user,
    )
  }
  if (Math.random() < 0.02) {
    log.call('warn', {}, 'slow query on %s took %dms', pick(TABLES), 300 + Math.floor(Math.random() * 900))
  }
  if (Math.random() < 0.005) {
    const err = new Error(`card declined for cart ${id}`)
    log.call('error', { err }, 'payment failed for cart %s', id)
  }
}
