// One module owns the sieve and the logger; route handlers and instrumentation.ts import it.
import { createSieve } from '@logsieve/node'
import { sievePino } from '@logsieve/pino'
import pino, { type DestinationStream } from 'pino'

export const sieve = createSieve({
  service: 'storefront',
  server: process.env.LOGSIEVE_URL
    ? { url: process.env.LOGSIEVE_URL, apiKey: process.env.LOGSIEVE_KEY }
    : undefined,
  policy: process.env.LOGSIEVE_URL
    ? undefined
    : { service: 'storefront', version: 1, defaults: { levels: { debug: 0 } } },
})

/** Where log lines go: stdout, or a stream a test installs. */
export const output: { stream: DestinationStream } = { stream: process.stdout }

export const log = pino(sievePino(sieve, { level: 'debug' }), {
  write: (s: string) => output.stream.write(s),
})
