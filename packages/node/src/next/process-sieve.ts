// nextSieve: one sieve per process, however many copies of the app's logger module Next.js evaluates
// (one per bundle layer, one more per edit under `next dev`). A copy with the same options reuses the
// sieve; changed options (an edit under `next dev`) replace it and shut the old one down, so no poller
// is left behind. `next build` gets a sieve without the server: building makes no network call.
import { createSieve } from '../sieve.js'
import type { Sieve, SieveOptions } from '../types.js'
import { hookSignals } from './signals.js'
import { type ErrorLogger, nextState } from './state.js'

export type { ErrorLogger }

/** Set by `next build` while it collects and prerenders pages (Next.js's PHASE_PRODUCTION_BUILD). */
const BUILD_PHASE = 'phase-production-build'

/**
 * The process's sieve and a logger made on it, which `onRequestError` logs thrown errors through.
 *
 * @example
 * export const { sieve, log } = nextSieve({ service: 'storefront', server }, (sieve) =>
 *   pino(sievePino(sieve, { level: 'debug' })),
 * )
 */
export function nextSieve<L extends ErrorLogger>(
  options: SieveOptions,
  makeLogger: (sieve: Sieve) => L,
): { sieve: Sieve; log: L } {
  const state = nextState()
  const building = process.env.NEXT_PHASE === BUILD_PHASE
  const key = keyOf(options, building)
  let current = state.current
  if (current === undefined || current.key !== key) {
    const sieve = createSieve(building ? { ...options, server: undefined } : options)
    void current?.sieve.shutdown()
    current = { sieve, key, logger: { error: () => {} }, hasServer: !building && !!options.server }
    state.current = current
  }
  const log = makeLogger(current.sieve)
  current.logger = log
  if (!building) hookSignals(state)
  return { sieve: current.sieve, log }
}

/** The options as JSON: functions and objects that are not plain data (an exporter) count by kind only. */
function keyOf(options: SieveOptions, building: boolean): string {
  const data = JSON.stringify(options, (_key, value: unknown) => {
    if (typeof value === 'function') return 'function'
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return value
    const proto = Object.getPrototypeOf(value)
    return proto === Object.prototype || proto === null ? value : 'object'
  })
  return `${building ? 'build' : 'run'} ${data}`
}
