// pino's browser build: `browser.write` receives every log object; kept ones go to the sieve's sender.
import type { BrowserSieve, Fields } from './types.js'

/** The `browser` options pino takes: `pino({ browser: pinoBrowser(sieve) })`. */
export interface PinoBrowserOptions {
  asObject: true
  write: (o: object) => void
}

const RESERVED = new Set(['time', 'level', 'msg'])

/**
 * Route pino (browser build) through the sieve: every line is decided and counted, kept lines are sent.
 * `next` also receives kept lines (e.g. to print them to the console).
 *
 * @example
 * import pino from 'pino'
 * const log = pino({ browser: pinoBrowser(sieve) })
 */
export function pinoBrowser(sieve: BrowserSieve, next?: (o: object) => void): PinoBrowserOptions {
  return {
    asObject: true,
    write(o) {
      try {
        const line = o as Fields & { level?: number | string; msg?: unknown; err?: unknown }
        let fields: Fields | undefined
        for (const key in line) {
          if (RESERVED.has(key)) continue
          fields ??= {}
          fields[key] = line[key]
        }
        const kept = sieve.log(line.level ?? 'info', line.msg ?? line.err ?? '', fields)
        if (kept) next?.(o)
      } catch {
        // pino must never see an exception from the sieve.
      }
    },
  }
}
