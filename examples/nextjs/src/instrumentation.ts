// Next.js calls register() once per server process: start policy sync with the server, flush on exit.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return
  const { sieve } = await import('./lib/log.js')
  process.once('SIGTERM', () => void sieve.shutdown())
}
