// Under `next start`, Next.js exits on SIGTERM and SIGINT as soon as its server is closed, before the
// last stats window can be sent. With NEXT_MANUAL_SIG_HANDLE=true Next.js leaves the signals to the
// app: the sieve is shut down (last window sent, at most shutdownTimeoutMs), then the process exits
// with the code Next.js would have used, unless the app has its own handler, which then decides.
import { integrationOf } from '../integration.js'
import type { NextState } from './state.js'

const EXIT_CODES = { SIGTERM: 143, SIGINT: 130 } as const

/** Hook SIGTERM and SIGINT once per process; the sieve current when a signal comes is shut down. */
export function hookSignals(state: NextState): void {
  if (state.signalsHooked) return
  state.signalsHooked = true
  for (const [signal, code] of Object.entries(EXIT_CODES))
    process.once(signal, () => void onSignal(state, signal, code))
}

async function onSignal(state: NextState, signal: string, code: number): Promise<void> {
  const current = state.current
  if (current?.hasServer && !process.env.NEXT_MANUAL_SIG_HANDLE && process.env.NODE_ENV === 'production')
    integrationOf(current.sieve).report(
      'LOGSIEVE_NEXT_SIGNAL',
      new Error(
        `LOGSIEVE_NEXT_SIGNAL: Next.js exits on ${signal} before Logsieve sends the last stats window; ` +
          'set NEXT_MANUAL_SIG_HANDLE=true and Logsieve sends it, then exits',
      ),
    )
  await current?.sieve.shutdown()
  // Ours was the only handler (NEXT_MANUAL_SIG_HANDLE, or no Next.js at all): exit as the signal would have.
  if (process.listenerCount(signal) === 0) process.exit(code)
}
