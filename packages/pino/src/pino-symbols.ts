// pino's internals the integration reads, found on a logger: every logger of one pino copy shares them.

/** pino's hooks object on a logger (registered globally by pino). */
export const HOOKS = Symbol.for('pino.hooks')

/** pino's other symbols are not registered globally (`Symbol('pino.chindings')`): found by description. */
export function findSymbol(obj: object, description: string): symbol | undefined {
  for (let o: object | null = obj; o !== null; o = Object.getPrototypeOf(o)) {
    for (const s of Object.getOwnPropertySymbols(o)) if (s.description === description) return s
  }
  return undefined
}

export interface PinoSymbols {
  /** The serialized bindings (`,"k":v…`) pino appends to every line of the logger. */
  bindings: symbol | undefined
  /** The logger's `msgPrefix`. */
  prefix: symbol | undefined
  /** pino's internal write (proto.js `[writeSym]`), which its level method calls last; only if it is one. */
  write: symbol | undefined
  /** The logger's mixin. */
  mixin: symbol | undefined
}

export function pinoSymbols(logger: object): PinoSymbols {
  const write = findSymbol(logger, 'pino.write')
  const isWrite = write !== undefined && typeof (logger as Record<symbol, unknown>)[write] === 'function'
  return {
    bindings: findSymbol(logger, 'pino.chindings'),
    prefix: findSymbol(logger, 'pino.msgPrefix'),
    write: isWrite ? write : undefined,
    mixin: findSymbol(logger, 'pino.mixin'),
  }
}
