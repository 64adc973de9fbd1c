// One module owns the sieve and the logger; route handlers and instrumentation.ts import it. nextSieve
// keeps one sieve per process, however many times Next.js evaluates this module.
import { nextSieve } from '@logsieve/node/next'
import { sievePino } from '@logsieve/pino'
import pino from 'pino'

export const { sieve, log } = nextSieve(
  {
    service: 'storefront',
    server: process.env.LOGSIEVE_URL
      ? { url: process.env.LOGSIEVE_URL, apiKey: process.env.LOGSIEVE_KEY }
      : undefined,
    // New policies are pushed over one open stream instead of polled.
    follow: 'sse',
  },
  // debug: the route's debug lines must be enabled to be dropped, and written first (backfill) on an error.
  (sieve) => pino(sievePino(sieve, { level: 'debug' })),
)
