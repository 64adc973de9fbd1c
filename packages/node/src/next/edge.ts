// @logsieve/node/next as the edge runtime sees it (the `edge-light` export condition): nothing Node-only,
// so instrumentation.ts can export onRequestError for both runtimes. The sieve lives in the Node.js runtime.
import type { nextSieve as nodeNextSieve } from './process-sieve.js'
import type { onRequestError as nodeOnRequestError } from './request-error.js'

/** Edge errors are left to Next.js: there is no sieve in the edge runtime. */
export const onRequestError: typeof nodeOnRequestError = async () => {}

export const nextSieve: typeof nodeNextSieve = () => {
  throw new Error(
    "LOGSIEVE_EDGE: Logsieve's sieve runs in the Node.js runtime, not the edge runtime. Import the module " +
      "that calls nextSieve only from Node.js code: routes with `export const runtime = 'nodejs'`, and in " +
      "instrumentation.ts inside `if (process.env.NEXT_RUNTIME === 'nodejs') { await import('./lib/log') }`.",
  )
}
