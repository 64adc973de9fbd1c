// Small composable checkers for the zod-free validators (checkPolicy, checkStatsBatch): each takes the
// value and its field path, returns the value (or a fresh copy with defaults filled in) or throws.
// zod's schema setup cannot be tree-shaken and costs microseconds per object; these cost neither.

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: ContractError }

/** A validation failure that names the offending field, e.g. `rules[3].rate`. */
export class ContractError extends Error {
  // `declare`: assigned in the constructor, so no class-field initializers in the browser bundle.
  declare readonly code: string
  declare readonly field: string | undefined
  constructor(code: string, message: string, field?: string) {
    super(field ? `${code}: ${field} ${message}` : `${code}: ${message}`)
    this.name = 'ContractError'
    ;(this as { code: string }).code = code
    ;(this as { field: string | undefined }).field = field
  }
}

/** A failed check inside a validator; `runCheck` turns it into a ContractError with the validator's code. */
class Invalid {
  declare readonly field: string
  declare readonly message: string
  constructor(field: string, message: string) {
    this.field = field
    this.message = message
  }
}

/** Run a validator: the checked value, or the first failure as a ContractError naming the field. */
export function runCheck<T>(check: Check<T>, input: unknown, code: string): ParseResult<T> {
  try {
    return { ok: true, value: check(input, '') }
  } catch (e) {
    const error =
      e instanceof Invalid
        ? new ContractError(code, e.message, e.field || undefined)
        : new ContractError(code, String(e))
    return { ok: false, error }
  }
}

export type Check<T = unknown> = (v: unknown, field: string) => T

export const fail = (field: string, message: string): never => {
  throw new Invalid(field, message)
}

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

export const num =
  (min: number, max = 1, int?: boolean): Check<number> =>
  (v, f) =>
    typeof v === 'number' && v >= min && v <= max && (!int || Number.isInteger(v))
      ? v
      : fail(f, `must be ${int ? 'an integer' : 'a number'} from ${min} to ${max}`)

export const positive: Check<number> = (v, f) =>
  typeof v === 'number' && v > 0 ? v : fail(f, 'must be a number > 0')

export const str =
  (max: number, pattern?: RegExp, min = 0): Check<string> =>
  (v, f) =>
    typeof v === 'string' && v.length >= min && v.length <= max && (!pattern || pattern.test(v))
      ? v
      : fail(f, `must be a string of ${min} to ${max} characters${pattern ? ` matching ${pattern}` : ''}`)

export const oneOf =
  <T extends string>(values: readonly T[]): Check<T> =>
  (v, f) =>
    values.includes(v as T) ? (v as T) : fail(f, `must be one of ${values.join(', ')}`)

export const time: Check<string> = (v, f) =>
  typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? v : fail(f, 'must be a valid datetime')

export const array =
  <T>(item: Check<T>, max = Number.POSITIVE_INFINITY): Check<T[]> =>
  (v, f) =>
    Array.isArray(v) && v.length <= max
      ? v.map((x, i) => item(x, `${f}[${i}]`))
      : fail(f, `must be an array of at most ${max} items`)

/** Absent: `fallback` (an input, checked like one, so every default is a fresh copy). */
export const or =
  <T>(check: Check<T>, fallback: unknown): Check<T> =>
  (v, f) =>
    check(v === undefined ? fallback : v, f)

/** Absent stays absent. */
export const opt =
  <T>(check: Check<T>): Check<T | undefined> =>
  (v, f) =>
    v === undefined ? undefined : check(v, f)

/** An object with the keys of `shape` (others are dropped, as zod does); undefined results stay unset. */
export const object =
  (shape: Record<string, Check>): Check<Record<string, unknown>> =>
  (v, f) => {
    if (!isObject(v)) return fail(f, 'must be an object')
    const out: Record<string, unknown> = {}
    for (const key in shape) {
      const value = (shape[key] as Check)(v[key], f ? `${f}.${key}` : key)
      if (value !== undefined) out[key] = value
    }
    return out
  }
