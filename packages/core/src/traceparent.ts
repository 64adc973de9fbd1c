// W3C Trace Context `traceparent` header (https://www.w3.org/TR/trace-context/): parse, format and
// random ids from the Web Crypto API (globalThis.crypto in Node 20 and browsers).

export interface TraceContext {
  /** 32 lowercase hex characters, not all zero. */
  traceId: string
  /** 16 lowercase hex characters, not all zero. */
  spanId: string
  sampled: boolean
}

const TRACE_ID = /^[0-9a-f]{32}$/
const SPAN_ID = /^[0-9a-f]{16}$/
const HEADER = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/
const ZERO_TRACE = '0'.repeat(32)
const ZERO_SPAN = '0'.repeat(16)

export function isValidTraceId(id: unknown): id is string {
  return typeof id === 'string' && TRACE_ID.test(id) && id !== ZERO_TRACE
}

export function isValidSpanId(id: unknown): id is string {
  return typeof id === 'string' && SPAN_ID.test(id) && id !== ZERO_SPAN
}

/**
 * Parse a `traceparent` header. Returns undefined for anything the spec says to ignore: version `ff`,
 * uppercase hex, all-zero ids, version 00 with trailing data. Future versions (01–fe) are parsed by
 * their first four fields, as the spec asks.
 */
export function parseTraceparent(header: unknown): TraceContext | undefined {
  if (typeof header !== 'string' || header.length > 512) return undefined
  const m = HEADER.exec(header.trim())
  if (m === null) return undefined
  const [, version, traceId, spanId, flags, rest] = m as unknown as [
    string,
    string,
    string,
    string,
    string,
    string?,
  ]
  if (version === 'ff') return undefined
  if (version === '00' && rest !== undefined) return undefined
  if (traceId === ZERO_TRACE || spanId === ZERO_SPAN) return undefined
  return { traceId, spanId, sampled: (Number.parseInt(flags, 16) & 1) === 1 }
}

/** Format a version-00 `traceparent` header. */
export function formatTraceparent(context: TraceContext): string {
  return `00-${context.traceId}-${context.spanId}-${context.sampled ? '01' : '00'}`
}

/** Random bytes drawn at a time: one Web Crypto call serves 256 requests' ids (one call per id cost ~7 µs in Node 20). */
const POOL_BYTES = 6144
/** Each byte value as two lowercase hex characters. */
const HEX = Array.from({ length: 256 }, (_, b) => (b + 256).toString(16).slice(1))
let pool: Uint8Array | undefined
let next = POOL_BYTES

/** `bytes` random bytes as lowercase hex, never all zero (an all-zero id is invalid). */
function randomId(bytes: number): string {
  for (;;) {
    if (next + bytes > POOL_BYTES) {
      pool ??= new Uint8Array(POOL_BYTES)
      globalThis.crypto.getRandomValues(pool)
      next = 0
    }
    const bytesOf = pool as Uint8Array
    let id = ''
    let any = 0
    for (let i = next; i < next + bytes; i++) {
      const b = bytesOf[i] as number
      any |= b
      id += HEX[b] as string
    }
    // Each byte is used once: no id shares randomness with another.
    next += bytes
    if (any !== 0) return id
  }
}

/** A random, non-zero 16-byte trace id (32 hex characters). */
export const randomTraceId = (): string => randomId(16)

/** A random, non-zero 8-byte span id (16 hex characters). */
export const randomSpanId = (): string => randomId(8)
