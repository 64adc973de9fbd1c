// The building blocks of the wire contract's definitions (policy-contract.ts, stats-contract.ts). Each field
// is a function that returns the value (a fresh copy with defaults filled in) or throws, and carries its
// JSON Schema: the server validates with the function, /openapi.json shows the schema, the SDKs call the
// same function, so the three cannot disagree. zod cannot be that definition: its setup costs ~125 ms at
// import and cannot be tree-shaken (SDKs), and it checks a stats batch 20× slower than these (ingest).

import { compiledFields, loopedFields } from './object-fields.js'

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

/** `['rules', 3, 'rate']` → `rules[3].rate` */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = ''
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`
    else out += out ? `.${String(part)}` : String(part)
  }
  return out
}

/** A failed field; objects and arrays prefix their key as it passes (paths are built only on failure). */
class Invalid {
  declare readonly path: PropertyKey[]
  declare readonly message: string
  constructor(message: string) {
    this.path = []
    this.message = message
  }
}

export const fail = (message: string): never => {
  throw new Invalid(message)
}

/** A failure inside the field `key` of a parent, on its way out: the path gains the key. */
export function within(e: unknown, key: PropertyKey): unknown {
  if (e instanceof Invalid) e.path.unshift(key)
  return e
}

/** Run `check(value)` as the field `key` of its parent. */
function at<T>(key: PropertyKey, check: (v: unknown) => T, value: unknown): T {
  try {
    return check(value)
  } catch (e) {
    throw within(e, key)
  }
}

export type JsonSchema = Record<string, unknown>

/** Whether an object may omit the field: 'required', 'optional' (stays absent) or 'default' (filled in). */
export type Absent = 'required' | 'optional' | 'default'

/** One field of a definition: the check (value in, checked value out, or throw) and its JSON Schema. */
export interface Field<Out, In = Out, A extends Absent = 'required'> {
  (value: unknown): Out
  readonly json: JsonSchema
  readonly absent: A
  /** Type only: what a sender may write (fields with defaults may be left out). */
  readonly _in?: In
}

// biome-ignore lint/suspicious/noExplicitAny: any field, whatever it checks
export type AnyField = Field<any, any, Absent>
export type Infer<F> = F extends Field<infer Out, unknown, Absent> ? Out : never
export type InferIn<F> = F extends { readonly _in?: infer In } ? In : never

const field = <Out, In = Out, A extends Absent = 'required'>(
  check: (v: unknown) => Out,
  json: JsonSchema,
  absent: A = 'required' as A,
): Field<Out, In, A> => Object.assign(check, { json, absent }) as Field<Out, In, A>

/** Validate `input` with `definition`: the checked value, or the first failure naming its field. */
export function runCheck<T>(definition: (v: unknown) => T, input: unknown, code: string): ParseResult<T> {
  try {
    return { ok: true, value: definition(input) }
  } catch (e) {
    if (!(e instanceof Invalid)) throw e
    return { ok: false, error: new ContractError(code, e.message, formatPath(e.path) || undefined) }
  }
}

/** Whether `check` accepts `value` (for a value that is not a body, such as a path parameter). */
export function accepts(check: (v: unknown) => unknown, value: unknown): boolean {
  try {
    check(value)
    return true
  } catch (e) {
    if (e instanceof Invalid) return false
    throw e
  }
}

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

const typeError = (v: unknown, expected: string): never =>
  fail(v === undefined ? `is required (${expected})` : `must be ${expected}`)

/** A finite number: `int` for integers, `min`/`max` inclusive, `above`/`below` exclusive. */
export function num(limits: {
  min?: number
  max?: number
  above?: number
  below?: number
  int?: boolean
}): Field<number> {
  const { min, max, above, below, int } = limits
  const json: JsonSchema = { type: int ? 'integer' : 'number' }
  if (min !== undefined) json.minimum = min
  if (above !== undefined) json.exclusiveMinimum = above
  if (max !== undefined) json.maximum = max
  if (below !== undefined) json.exclusiveMaximum = below
  return field((v) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) return typeError(v, 'number')
    if (int && !Number.isInteger(v)) return fail('must be an integer')
    if (min !== undefined && v < min) return fail(`must be >= ${min}`)
    if (above !== undefined && v <= above) return fail(`must be > ${above}`)
    if (max !== undefined && v > max) return fail(`must be <= ${max}`)
    if (below !== undefined && v >= below) return fail(`must be < ${below}`)
    return v
  }, json)
}

/** A string of `min` to `max` characters, matching `pattern` when given. */
export function str(limits: { max: number; min?: number; pattern?: RegExp; says?: string }): Field<string> {
  const { max, min = 0, pattern, says } = limits
  const json: JsonSchema = { type: 'string', maxLength: max }
  if (min > 0) json.minLength = min
  if (pattern) json.pattern = pattern.source
  return field((v) => {
    if (typeof v !== 'string') return typeError(v, 'string')
    if (v.length < min) return fail(`must have at least ${min} characters`)
    if (v.length > max) return fail(`must have at most ${max} characters`)
    if (pattern && !pattern.test(v)) return fail(says ?? `must match ${pattern.source}`)
    return v
  }, json)
}

/** One of `values`. */
export const oneOf = <T extends string>(values: readonly T[]): Field<T> =>
  field(
    (v) =>
      values.includes(v as T)
        ? (v as T)
        : fail(`must be one of ${values.map((x) => JSON.stringify(x)).join(', ')}`),
    {
      enum: [...values],
    },
  )

/** RFC 3339 (JSON Schema's `date-time`): date, `T`, time, optional fraction, `Z` or an offset. */
const DATE_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)$/

// A batch repeats a handful of timestamps: the last one that passed is not parsed again.
let lastTime = ''
export const time: Field<string> = field(
  (v) => {
    if (v === lastTime) return v
    if (typeof v !== 'string' || !DATE_TIME.test(v) || Number.isNaN(Date.parse(v))) {
      return fail('must be a valid datetime')
    }
    lastTime = v
    return v
  },
  // RFC 3339 also allows a space or lower-case letters; the pattern says that these do not.
  { type: 'string', format: 'date-time', pattern: DATE_TIME.source },
)

/** An array of at most `max` (at least `min`) items, each checked by `item`. */
export function array<T, I>(item: Field<T, I>, limits: { max?: number; min?: number } = {}): Field<T[], I[]> {
  const { max = Number.POSITIVE_INFINITY, min = 0 } = limits
  const json: JsonSchema = { type: 'array', items: item.json }
  if (max < Number.POSITIVE_INFINITY) json.maxItems = max
  if (min > 0) json.minItems = min
  return field((v) => {
    if (!Array.isArray(v)) return typeError(v, 'array')
    if (v.length < min) return fail(`must have at least ${min} items`)
    if (v.length > max) return fail(`must have at most ${max} items`)
    const out = new Array<T>(v.length)
    let i = 0
    try {
      for (; i < v.length; i++) out[i] = item(v[i])
    } catch (e) {
      throw within(e, i)
    }
    return out
  }, json)
}

/** An object whose keys are checked by `key` (an enum) and values by `value`; any key may be absent. */
export function record<K extends string, T>(key: Field<K>, value: Field<T>): Field<Partial<Record<K, T>>> {
  return field(
    (v) => {
      if (!isObject(v)) return typeError(v, 'object')
      const out: Partial<Record<K, T>> = {}
      for (const k of Object.keys(v)) out[at(k, key, k)] = at(k, value, v[k])
      return out
    },
    { type: 'object', propertyNames: key.json, additionalProperties: value.json },
  )
}

export const bool: Field<boolean> = field((v) => (typeof v === 'boolean' ? v : typeError(v, 'boolean')), {
  type: 'boolean',
})

/** `null` or what `check` accepts. */
export const nullable = <T, I>(check: Field<T, I>): Field<T | null, I | null> =>
  field((v) => (v === null ? null : check(v)), { anyOf: [check.json, { type: 'null' }] })

/** Absent stays absent. */
export const opt = <T, I>(check: Field<T, I>): Field<T | undefined, I | undefined, 'optional'> =>
  field((v) => (v === undefined ? undefined : check(v)), check.json, 'optional')

/** Absent: `fallback`, checked like a sent value (so every default is a fresh copy). */
export const or = <T, I>(check: Field<T, I>, fallback: I): Field<T, I | undefined, 'default'> =>
  field((v) => check(v === undefined ? fallback : v), { ...check.json, default: fallback }, 'default')

/** The first of `options` that accepts the value (each an object with its own keys: one shape of several). */
export const union = <F extends AnyField[]>(options: F): Field<Infer<F[number]>, InferIn<F[number]>> =>
  field(
    (v) => {
      for (const option of options) {
        try {
          return option(v)
        } catch (e) {
          if (!(e instanceof Invalid)) throw e
        }
      }
      return fail('does not match any allowed shape')
    },
    { anyOf: options.map((o) => o.json) },
  )

/**
 * A rule over the whole value that its fields cannot say. `json`: the JSON Schema keywords that say it,
 * if any; without them `rule` goes into the schema's description.
 */
export const refine = <T, I>(
  check: Field<T, I>,
  ok: (value: T) => boolean,
  rule: string,
  json: JsonSchema = { description: rule },
): Field<T, I> =>
  field(
    (v) => {
      const value = check(v)
      return ok(value) ? value : fail(rule)
    },
    { ...check.json, ...json },
  )

type Shape = Record<string, AnyField>
type Flat<T> = { [K in keyof T]: T[K] } & {}
type ObjectOut<S extends Shape> = Flat<
  { [K in keyof S as S[K]['absent'] extends 'optional' ? never : K]: Infer<S[K]> } & {
    [K in keyof S as S[K]['absent'] extends 'optional' ? K : never]?: Exclude<Infer<S[K]>, undefined>
  }
>
type ObjectIn<S extends Shape> = Flat<
  { [K in keyof S as S[K]['absent'] extends 'required' ? K : never]: InferIn<S[K]> } & {
    [K in keyof S as S[K]['absent'] extends 'required' ? never : K]?: Exclude<InferIn<S[K]>, undefined>
  }
>

/** An object with the keys of `shape` (others are dropped); absent optional fields stay unset. */
export function object<S extends Shape>(shape: S): Field<ObjectOut<S>, ObjectIn<S>> {
  const keys = Object.keys(shape)
  const checks = keys.map((k) => shape[k] as AnyField)
  const properties: JsonSchema = {}
  for (const k of keys) properties[k] = (shape[k] as AnyField).json
  const required = keys.filter((k) => (shape[k] as AnyField).absent === 'required')
  const fields = compiledFields(keys) ?? loopedFields(keys)
  return field(
    (v) => (isObject(v) ? (fields(checks, v, within) as ObjectOut<S>) : typeError(v, 'object')),
    required.length > 0 ? { type: 'object', properties, required } : { type: 'object', properties },
  )
}
