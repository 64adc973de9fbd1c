// Turns whatever the app logged into an OTLP AnyValue that can be encoded and spooled safely: the OTLP
// transformer recurses without a cycle check, and JSON cannot hold Errors, bigints or NaN.
import type { AnyValue, AnyValueMap } from '@opentelemetry/api-logs'

const MAX_DEPTH = 10
const TRUNCATED = '…[truncated]'

/**
 * Copy `value` into a plain AnyValue: cycles become `'[Circular]'`, Errors `{ name, message, stack, … }`,
 * Dates ISO strings, bigints and non-finite numbers strings, functions and symbols are left out, strings
 * longer than `maxStringLength` are cut. Uint8Array stays bytes.
 */
export function toAnyValue(value: unknown, maxStringLength: number): AnyValue {
  return convert(value, maxStringLength, 0, [])
}

function convert(value: unknown, max: number, depth: number, stack: object[]): AnyValue {
  switch (typeof value) {
    case 'string':
      return value.length > max ? value.slice(0, max) + TRUNCATED : value
    case 'number':
      return Number.isFinite(value) ? value : String(value)
    case 'boolean':
      return value
    case 'bigint':
      return value.toString()
    case 'object':
      break
    default:
      // undefined, functions and symbols carry nothing a log backend can show
      return undefined
  }
  if (value === null) return null
  if (value instanceof Uint8Array) return value
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString()
  if (stack.includes(value)) return '[Circular]'
  if (depth >= MAX_DEPTH) return Array.isArray(value) ? '[Array]' : '[Object]'
  stack.push(value)
  try {
    if (Array.isArray(value)) return value.map((item) => convert(item, max, depth + 1, stack) ?? null)
    const source = value instanceof Error ? errorFields(value) : value
    const out: AnyValueMap = {}
    for (const key of Object.keys(source)) {
      const converted = convert((source as Record<string, unknown>)[key], max, depth + 1, stack)
      if (converted !== undefined) out[key] = converted
    }
    return out
  } finally {
    stack.pop()
  }
}

/** Error's own fields are not enumerable; copy the useful ones plus any enumerable extras (code, …). */
function errorFields(error: Error): Record<string, unknown> {
  const fields: Record<string, unknown> = { ...error, name: error.name, message: error.message }
  if (error.stack !== undefined) fields.stack = error.stack
  if (error.cause !== undefined) fields.cause = error.cause
  return fields
}

/** Attributes are a map at the top level; anything else is wrapped so nothing is lost. */
export function toAttributes(value: Record<string, unknown> | undefined, max: number): AnyValueMap {
  if (value === undefined || value === null) return {}
  const converted = toAnyValue(value, max)
  if (converted !== null && typeof converted === 'object' && !Array.isArray(converted)) {
    if (!(converted instanceof Uint8Array)) return converted
  }
  return { value: converted }
}
