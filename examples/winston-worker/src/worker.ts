// The example worker: a winston logger with Logsieve, and a scope per job so a failing job's dropped
// lines are written before its error.
import { createSieve, type Sieve } from '@logsieve/node'
import { attachSieve } from '@logsieve/winston'
import winston from 'winston'

export interface Job {
  id: string
  /** W3C traceparent of the request that enqueued the job, if any. */
  traceparent?: string
  fail?: boolean
}

export interface Worker {
  logger: winston.Logger
  sieve: Sieve
  run(job: Job): Promise<void>
}

export function createWorker(transport: winston.transport = new winston.transports.Console()): Worker {
  const logger = winston.createLogger({
    level: 'debug',
    format: winston.format.combine(winston.format.splat(), winston.format.json()),
    transports: [transport],
  })
  const url = process.env.LOGSIEVE_URL
  const sieve = createSieve({
    service: 'worker',
    server: url ? { url, apiKey: process.env.LOGSIEVE_KEY } : undefined,
    policy: url
      ? undefined
      : { service: 'worker', version: 1, defaults: { levels: { debug: 0, info: 0.25 } } },
  })
  attachSieve(logger, sieve)

  async function run(job: Job): Promise<void> {
    await sieve.run({ traceparent: job.traceparent, requestId: job.id }, async () => {
      logger.debug('fetched job %s', job.id)
      await new Promise((r) => setImmediate(r))
      logger.debug('resized %d images', 3)
      if (job.fail) {
        logger.error('job %s failed: %s', job.id, 'upstream timeout')
        return
      }
      logger.info('job %s done', job.id)
    })
  }
  return { logger, sieve, run }
}
