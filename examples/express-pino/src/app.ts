// The example shop: an Express app whose pino logger goes through Logsieve.
import { createSieve, type Sieve } from '@logsieve/node'
import { sievePino } from '@logsieve/pino'
import express, { type Express } from 'express'
import pino, { type DestinationStream, type Logger } from 'pino'

export interface Shop {
  app: Express
  sieve: Sieve
  log: Logger
}

/** Build the app. `destination` defaults to stdout; the smoke test passes its own. */
export function createShop(destination?: DestinationStream): Shop {
  const url = process.env.LOGSIEVE_URL
  // The three lines: a sieve, pino options through sievePino, and the middleware.
  const sieve = createSieve({
    service: 'shop',
    server: url ? { url, apiKey: process.env.LOGSIEVE_KEY } : undefined,
    // Without a server, a local policy: keep 1 in 8 info lines of the busy pattern, no debug.
    policy: url
      ? undefined
      : { service: 'shop', version: 1, defaults: { levels: { debug: 0, info: 0.125 } } },
  })
  const log = pino(sievePino(sieve, { level: 'debug' }), destination ?? process.stdout)
  const app = express()
  app.use(sieve.express({ logger: log, requestLog: true }))

  app.get('/products/:id', (req, res) => {
    log.debug('cache lookup for product %s', req.params.id)
    log.info('product %s viewed', req.params.id)
    res.json({ id: req.params.id, price: 42 })
  })

  app.post('/checkout', (req, res) => {
    sieve.setFields({ userId: req.get('x-user') ?? 'anonymous' })
    log.debug('validating cart')
    log.debug('reserving stock')
    if (req.query.fail) throw new Error('payment declined')
    res.status(201).json({ ok: true })
  })

  app.use(sieve.expressErrorHandler({ logger: log }))
  app.use((_err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(500).json({ error: 'internal error' })
  })
  return { app, sieve, log }
}
