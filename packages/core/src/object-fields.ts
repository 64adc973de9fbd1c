// How an object definition (check.ts `object`) checks its keys: compiled into a function with each key
// written out, or, where code cannot be compiled, a loop over the keys. Both give the same results.
import type { AnyField } from './check.js'

export type Fields = (
  checks: AnyField[],
  v: Record<string, unknown>,
  inside: (e: unknown, key: PropertyKey) => unknown,
) => Record<string, unknown>

/** Check each key in turn (where code cannot be compiled: a strict CSP, some edge runtimes). */
export const loopedFields =
  (keys: string[]): Fields =>
  (checks, v, inside) => {
    const out: Record<string, unknown> = {}
    let i = 0
    try {
      for (; i < keys.length; i++) {
        const value = (checks[i] as AnyField)(v[keys[i] as string])
        if (value !== undefined) out[keys[i] as string] = value
      }
    } catch (e) {
      throw inside(e, keys[i] as string)
    }
    return out
  }

/**
 * The same, as code with each key written out: V8 then reads and writes the keys as named properties
 * (a keyed access with a different key each time is several times slower: a 500-pattern batch took 3×
 * as long). The keys are the definition's own, quoted by JSON.stringify.
 */
export function compiledFields(keys: string[]): Fields | undefined {
  const steps = keys.map((k, i) => {
    const key = JSON.stringify(k)
    return `i=${i};x=c[${i}](v[${key}]);if(x!==undefined)o[${key}]=x;`
  })
  const body = `let i=0,x;const o={};try{${steps.join('')}}catch(e){throw inside(e,k[i])}return o`
  try {
    const make = new Function('k', `return function(c,v,inside){${body}}`) as (k: string[]) => Fields
    return make(keys)
  } catch {
    return undefined
  }
}
