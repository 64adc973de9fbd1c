// The per-trace sampling threshold shared by every line of a trace (consistent sampling).

import { hash32 } from './hash.js'

const TWO_POW_56 = 2 ** 56
const TWO_POW_32 = 2 ** 32

/**
 * The sampling threshold u of a trace; a line is kept when u ≤ rate. For a W3C trace id, u = 1 − R/2^56
 * where R is its rightmost 56 bits (the randomness of OpenTelemetry's consistent probability sampling),
 * so u ≤ rate ⟺ R ≥ (1 − rate)·2^56: exactly the traces an OpenTelemetry sampler at probability `rate`
 * keeps (see w3cThreshold). Any other id: hash32(id) / 2^32.
 */
export function traceThreshold(traceId: string): number {
  const u = w3cThreshold(traceId)
  return u >= 0 ? u : hash32(traceId) / TWO_POW_32
}

/**
 * traceThreshold of a W3C trace id (32 characters ending in 14 hex digits), in (0, 1]; NaN for any other
 * id. A sampler whose trace ids are always W3C (the browser SDK's) uses it alone, without hash32. Loops
 * over char codes so the hot path allocates no strings.
 */
export function w3cThreshold(traceId: string): number {
  if (traceId.length === 32) {
    let r = 0
    for (let i = 18; i < 32; i++) {
      const c = traceId.charCodeAt(i)
      const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1
      if (d < 0) return Number.NaN
      r = r * 16 + d
    }
    // Doubles keep 53 of R's 56 bits: thresholds are exact for power-of-two rates, off by ≤ 2^-53 otherwise.
    return 1 - r / TWO_POW_56
  }
  return Number.NaN
}
