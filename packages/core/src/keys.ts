// Composite map keys, built one way everywhere: a pattern is (signature, level), a group of stats is
// (service, environment). NUL cannot occur in a signature, a pattern id or a service name, so the joins
// are unambiguous whatever their parts' lengths.
import type { LevelName } from './severity.js'

/** The key of (signature, level); a rule for every level (`level` undefined) gets `*`. */
export const patternKey = (signature: string, level?: LevelName): string =>
  `${signature}\u0000${level ?? '*'}`

/** The key of (service, environment). */
export const groupKey = (service: string, environment: string): string => `${service}\u0000${environment}`

/** The service and environment of a `groupKey`. */
export const splitGroupKey = (key: string): [service: string, environment: string] => {
  const i = key.indexOf('\u0000')
  return [key.slice(0, i), key.slice(i + 1)]
}
