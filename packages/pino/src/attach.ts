// Two ways in: `pino(sievePino(sieve, options))` merges our hook and mixin into the options of a new
// logger (the supported path); `attachSieve(logger, sieve)` patches a logger that already exists.
import type { Sieve } from '@logsieve/node'
import { createIntegration } from './pino.js'
import type { LogMethodHook, MixinFn, SievePinoOptions } from './types.js'

interface PinoOptionsShape {
  hooks?: { logMethod?: unknown; [key: string]: unknown }
  mixin?: unknown
}

/**
 * pino options with Logsieve sampling: your hooks and mixin are kept and run inside ours.
 *
 * @example
 * const sieve = createSieve({ service: 'checkout' })
 * const log = pino(sievePino(sieve, { level: 'info' }))
 */
export function sievePino<O extends object = Record<string, never>>(
  sieve: Sieve,
  options?: O,
  sieveOptions?: SievePinoOptions,
): O & { hooks: { logMethod: LogMethodHook }; mixin: MixinFn } {
  const opts = (options ?? {}) as O & PinoOptionsShape
  const integration = createIntegration(
    sieve,
    opts.hooks?.logMethod as LogMethodHook | undefined,
    opts.mixin as MixinFn | undefined,
    sieveOptions,
  )
  return {
    ...opts,
    hooks: { ...opts.hooks, logMethod: integration.logMethod },
    mixin: integration.mixin,
  }
}

const HOOKS = Symbol.for('pino.hooks')

/** pino's mixin symbol is not registered globally (`Symbol('pino.mixin')`): find it by its description. */
function findSymbol(obj: object, description: string): symbol | undefined {
  for (let o: object | null = obj; o !== null; o = Object.getPrototypeOf(o)) {
    for (const s of Object.getOwnPropertySymbols(o)) if (s.description === description) return s
  }
  return undefined
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
  const mixinSym = findSymbol(logger, 'pino.mixin')
  const hooks = target[HOOKS] as { logMethod?: LogMethodHook } | undefined
  if (mixinSym === undefined || hooks === undefined || typeof target.level !== 'string') return false
  const integration = createIntegration(
    sieve,
    hooks.logMethod,
    (target[mixinSym] as MixinFn | undefined) ?? undefined,
    sieveOptions,
  )
  // A new hooks object: without user hooks the instance shares pino's default hooks object, and
  // mutating it would change every logger created later in the process.
  target[HOOKS] = { ...hooks, logMethod: integration.logMethod }
  target[mixinSym] = integration.mixin
  // setLevel() builds the level methods from the hook: re-run it so the new hook takes effect.
  const level = target.level
  target.level = level
  return true
}
