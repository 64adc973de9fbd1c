// A winston app cannot tell Logsieve is there with a keep-everything policy and the fields off: the same
// calls through plain winston 3 and through a sieved logger write the same lines, and the logger's own
// format object is left as it was.
import { Writable } from 'node:stream'
import { createSieve, integrationOf } from '@logsieve/node'
import { expect, it } from 'vitest'
import winston from 'winston'
import { attachSieve } from '../src/index.js'

const { format } = winston
const settle = () => new Promise((r) => setTimeout(r, 20))

function build(out: string[]) {
  const stream = new Writable({
    write(chunk, _enc, cb) {
      out.push(String(chunk))
      cb()
    },
  })
  return winston.createLogger({
    level: 'debug',
    defaultMeta: { service: 'worker' },
    format: format.combine(format.errors({ stack: true }), format.splat(), format.json()),
    transports: [new winston.transports.Stream({ stream })],
  })
}

function exercise(logger: winston.Logger): void {
  logger.info('job %s done in %dms', 'j1', 12)
  logger.info('with meta', { orderId: 7, nested: { a: [1, 2] } })
  logger.debug('debug %o', { x: 1 })
  logger.warn('warned')
  logger.error(new Error('boom'))
  logger.error('failed: %s', 'disk', { code: 'EIO' })
  logger.log({ level: 'info', message: 'as object', extra: true })
  logger.log('info', 'log with level %s', 'x')
  logger.info({ event: 'cart.updated', cartId: 'c1' } as unknown as string)
  const child = logger.child({ component: 'queue' })
  child.info('child line %d', 1)
  child.child({ sub: 'x' }).warn('grandchild')
  logger.level = 'info'
  logger.debug('now disabled')
  logger.info('after level change')
}

it('writes exactly what plain winston writes, and leaves logger.format untouched', async () => {
  const plain: string[] = []
  const sieved: string[] = []
  exercise(build(plain))
  const logger = build(sieved)
  const theirFormat = logger.format
  const sieve = createSieve({ service: 'worker', cacheDir: false, onDiagnostic: false })
  attachSieve(logger, sieve, { signatureField: false, traceFields: false, scopeFields: false })
  expect(logger.format).toBe(theirFormat)
  exercise(logger)
  await settle()
  // The stack of `logger.error(err)` differs only in this file's line numbers.
  const same = (l: string) => l.replace(/:\d+:\d+/g, '')
  expect(sieved.map(same)).toEqual(plain.map(same))
  expect(plain.length).toBe(12)
  // Every line was seen by the sieve (the disabled debug line was not).
  const seen = integrationOf(sieve)
    .sampler.stats.snapshot()
    .rows.reduce((n, r) => n + r.seen, 0)
  expect(seen).toBe(12)
  await sieve.shutdown()
})

it('keeps sampling after logger.configure(), and a format reused by another logger is not sampled', async () => {
  const out: string[] = []
  const other: string[] = []
  const logger = build(out)
  const sieve = createSieve({
    service: 'worker',
    cacheDir: false,
    onDiagnostic: false,
    policy: { service: 'worker', version: 1, defaults: { levels: { info: 0 }, floorPerMinute: 0 } },
  })
  attachSieve(logger, sieve)
  const shared = logger.format
  const second = winston.createLogger({
    format: shared,
    transports: [
      new winston.transports.Stream({
        stream: new Writable({
          write(chunk, _enc, cb) {
            other.push(String(chunk))
            cb()
          },
        }),
      }),
    ],
  })
  second.info('not sieved')
  logger.info('dropped')
  logger.configure({
    level: 'info',
    format: format.json(),
    transports: [
      new winston.transports.Stream({
        stream: new Writable({
          write(chunk, _enc, cb) {
            out.push(String(chunk))
            cb()
          },
        }),
      }),
    ],
  })
  logger.info('dropped after configure')
  logger.warn('kept after configure')
  await settle()
  expect(other).toHaveLength(1)
  expect(out.map((l) => JSON.parse(l).message)).toEqual(['kept after configure'])
  await sieve.shutdown()
})
