// Two ways in: `pino(sievePino(sieve, options))` merges our hooks into the options of a new
// logger (the supported path); `attachSieve(logger, sieve)` patches a logger that already exists.
import type { Sieve } from '@logsieve/node'
import { createIntegration } from './integration.js'
import { findSymbol, HOOKS } from './pino-symbols.js'
import type { LogMethodHook, SievePinoOptions, StreamWriteHook } from './types.js'

interface PinoOptionsShape {
  hooks?: { logMethod?: unknown; streamWrite?: unknown; [key: string]: unknown }
}

/**
 * pino options with Logsieve sampling: your hooks run inside ours; everything else (your mixin
 * included) is passed to pino as it is.
 *
 * @example
 * const sieve = createSieve({ service: 'checkout' })
 * const log = pino(sievePino(sieve, { level: 'info' }))
 */
export function sievePino<O extends object = Record<string, never>>(
  sieve: Sieve,
  options?: O,
  sieveOptions?: SievePinoOptions,
): O & { hooks: { logMethod: LogMethodHook } } {
  const opts = (options ?? {}) as O & PinoOptionsShape
  const integration = createIntegration(
    sieve,
    opts.hooks?.logMethod as LogMethodHook | undefined,
    sieveOptions,
    opts.hooks?.streamWrite as StreamWriteHook | undefined,
  )
  const hooks = { ...opts.hooks, logMethod: integration.logMethod, streamWrite: integration.streamWrite }
  return { ...opts, hooks } as O & { hooks: { logMethod: LogMethodHook } }
}

/**
 * Add Logsieve to a pino logger that already exists. Child loggers created afterwards inherit it;
 * children created before keep logging unsampled. Returns false when the logger does not look like pino
 * 8–10 (then nothing was changed).
 *
 * @example
 * attachSieve(app.log, sieve) // e.g. Fastify's logger
 */
export function attachSieve(logger: object, sieve: Sieve, sieveOptions?: SievePinoOptions): boolean {
  const target = logger as Record<symbol, unknown> & { level?: string }
  const hooks = target[HOOKS] as { logMethod?: LogMethodHook; streamWrite?: StreamWriteHook } | undefined
  const isPino = findSymbol(logger, 'pino.chindings') !== undefined
  if (!isPino || hooks === undefined || typeof target.level !== 'string') return false
  const integration = createIntegration(sieve, hooks.logMethod, sieveOptions, hooks.streamWrite)
  // A new hooks object: without user hooks the instance shares pino's default hooks object, and
  // mutating it would change every logger created later in the process.
  target[HOOKS] = { ...hooks, logMethod: integration.logMethod, streamWrite: integration.streamWrite }
  // setLevel() builds the level methods from the hook: re-run it so the new hook takes effect.
  const level = target.level
  target.level = level
  return true
}
