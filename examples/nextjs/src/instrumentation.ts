// Next.js calls register() once per server process, for each runtime. The sieve lives in the Node.js
// runtime: the `if` (not an early return) lets the edge build drop the import of the logger module.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    await import('./lib/log')
  }
}

// Errors thrown by route handlers and server components, logged in their request's trace.
export { onRequestError } from '@logsieve/node/next'
