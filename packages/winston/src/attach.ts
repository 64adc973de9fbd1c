// `attachSieve(logger, sieve)`: the three-line drop-in for a logger that already exists. It leaves
// `logger.format` as it is (code that reads or reuses it keeps working, and `logger.configure()` does not
// undo Logsieve): the sieve decides in the logger's `write`, before the line enters winston's stream, and
// measures the line after the logger's own format serialized it.
import type { Sieve } from '@logsieve/node'
import { sieveFormat } from './format.js'
import type { SieveFormat, SieveFormatOptions, WinstonInfo, WinstonLoggerLike } from './types.js'

/** What attachSieve wraps on the logger instance (winston's Logger is a Transform stream). */
interface StreamLogger {
  write(info: object, ...rest: unknown[]): boolean
  _transform?(info: WinstonInfo, encoding: unknown, callback: (...args: unknown[]) => void): void
}

const ATTACHED = Symbol.for('logsieve.winston.attached')

/**
 * Add Logsieve to an existing winston logger: sampling first, then the logger's format as before.
 * Child loggers (`logger.child()`) write through it and are sampled too.
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
  const target = logger as unknown as StreamLogger & Record<symbol, unknown>
  // Attaching twice would decide every line twice: the second sieve replaces the first.
  const previous = target[ATTACHED] as
    | { write: StreamLogger['write']; transform: StreamLogger['_transform'] }
    | undefined
  const write = previous?.write ?? target.write
  const transform = previous?.transform ?? target._transform
  ours.attach(logger)
  target.write = function logsieveWrite(this: StreamLogger, info: object, ...rest: unknown[]): boolean {
    const kept = ours.transform(info as WinstonInfo)
    // A dropped line never enters the stream: true, as a write with room left returns.
    if (kept === false) return true
    return write.call(this, kept, ...rest)
  }
  if (typeof transform === 'function') {
    target._transform = function logsieveTransform(this: StreamLogger, info, encoding, callback) {
      transform.call(this, info, encoding, callback)
      // The logger's format ran (format.json() and friends set info[MESSAGE]): measure the kept line.
      ours.measure(info)
    }
  }
  target[ATTACHED] = { write, transform }
  return ours
}
