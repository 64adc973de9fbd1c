// `attachSieve(logger, sieve)`: the three-line drop-in for a logger that already exists. It puts the
// sieve format in front of the logger's own format (winston reads `logger.format` on every line).
import type { Sieve } from '@logsieve/node'
import { sieveFormat } from './format.js'
import type { SieveFormat, SieveFormatOptions, WinstonInfo, WinstonLoggerLike } from './types.js'

interface FormatLike {
  transform(info: WinstonInfo, options?: unknown): WinstonInfo | false | undefined | null
  options?: unknown
}

/**
 * Add Logsieve to an existing winston logger: sampling first, then the logger's format as before.
 * Calling `logger.configure()` later replaces the format: attach again after it.
 *
 * @example
 * const logger = winston.createLogger({ format: winston.format.json(), transports })
 * attachSieve(logger, sieve)
 */
export function attachSieve<L extends WinstonLoggerLike>(
  logger: L,
  sieve: Sieve,
  options?: SieveFormatOptions,
): SieveFormat {
  const ours = sieveFormat(sieve, options)
  ours.attach(logger)
  const theirs = logger.format as FormatLike | undefined
  // Same contract as logform's combine(): a falsy result stops the chain.
  logger.format = {
    options: theirs?.options ?? {},
    transform(info: WinstonInfo, opts?: unknown) {
      const kept = ours.transform(info)
      if (kept === false) return false
      const out = theirs ? theirs.transform(kept, theirs.options ?? opts) : kept
      // Their format has serialized the line (format.json() and friends set info[MESSAGE]): measure it.
      if (out) ours.measure(out)
      return out
    },
  }
  return ours
}
