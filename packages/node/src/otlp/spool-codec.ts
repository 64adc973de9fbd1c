// Spool file format: JSON lines, a header with the batch's resources and scopes, then one line per record.
// We store records (not the OTLP request body) so that a replay goes through the same exporter, with the
// user's current URL, headers, compression and retries, and the file format does not depend on OTLP's
// JSON encoding details (hex vs base64 ids, int64 as strings), which differ between exporter versions.
import type { HrTime, SpanContext } from '@opentelemetry/api'
import type { AnyValue, LogAttributes, LogBody } from '@opentelemetry/api-logs'
import type { Resource } from '@opentelemetry/resources'
import { resourceFromAttributes } from '@opentelemetry/resources'
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs'

/** Version of the spool file format; files with another version are left alone. */
export const SPOOL_FORMAT_VERSION = 1

/** JSON has no bytes: a Uint8Array is stored as `{ [BYTES_KEY]: base64 }`. */
const BYTES_KEY = '__logsieve_bytes__'

type Scope = ReadableLogRecord['instrumentationScope']

interface Header {
  v: number
  resources: { attributes: Record<string, unknown>; schemaUrl?: string }[]
  scopes: Scope[]
}

interface Line {
  r: number
  s: number
  t: HrTime
  o: HrTime
  n?: number
  x?: string
  b?: LogBody
  a: LogAttributes
  d: number
  e?: string
  c?: [traceId: string, spanId: string, traceFlags: number]
}

function replacer(this: Record<string, unknown>, key: string, value: unknown): unknown {
  // `this[key]` is the value before toJSON (Buffer.toJSON would turn bytes into a number array)
  const raw = this[key]
  return raw instanceof Uint8Array ? { [BYTES_KEY]: Buffer.from(raw).toString('base64') } : value
}

function reviver(_key: string, value: unknown): unknown {
  if (value !== null && typeof value === 'object' && BYTES_KEY in value) {
    const encoded = (value as Record<string, unknown>)[BYTES_KEY]
    if (typeof encoded === 'string') return new Uint8Array(Buffer.from(encoded, 'base64'))
  }
  return value
}

/** One spool file's text for a batch; ends with a newline. */
export function encodeBatch(records: readonly ReadableLogRecord[]): string {
  const resources = new Map<Resource, number>()
  const scopes = new Map<Scope, number>()
  const header: Header = { v: SPOOL_FORMAT_VERSION, resources: [], scopes: [] }
  const lines: string[] = []
  for (const record of records) {
    let r = resources.get(record.resource)
    if (r === undefined) {
      r = header.resources.length
      resources.set(record.resource, r)
      const { attributes, schemaUrl } = record.resource
      header.resources.push(schemaUrl ? { attributes, schemaUrl } : { attributes })
    }
    let s = scopes.get(record.instrumentationScope)
    if (s === undefined) {
      s = header.scopes.length
      scopes.set(record.instrumentationScope, s)
      header.scopes.push(record.instrumentationScope)
    }
    const line: Line = {
      r,
      s,
      t: record.hrTime,
      o: record.hrTimeObserved,
      a: record.attributes,
      d: record.droppedAttributesCount,
    }
    if (record.severityNumber !== undefined) line.n = record.severityNumber
    if (record.severityText !== undefined) line.x = record.severityText
    if (record.body !== undefined) line.b = record.body
    if (record.eventName !== undefined) line.e = record.eventName
    const sc = record.spanContext
    if (sc) line.c = [sc.traceId, sc.spanId, sc.traceFlags]
    lines.push(JSON.stringify(line, replacer))
  }
  return `${JSON.stringify(header, replacer)}\n${lines.join('\n')}\n`
}

/** Rebuild the records of a spool file; throws on a file that is not ours (the caller quarantines it). */
export function decodeBatch(text: string): ReadableLogRecord[] {
  const lines = text.split('\n').filter((line) => line.length > 0)
  const first = lines.shift()
  if (first === undefined) throw new Error('empty spool file')
  const header = JSON.parse(first, reviver) as Header
  if (header.v !== SPOOL_FORMAT_VERSION) throw new Error(`unknown spool format version ${header.v}`)
  // one object per resource and scope: the OTLP transformer groups records by object identity
  const resources = header.resources.map((res) =>
    resourceFromAttributes(
      res.attributes as Record<string, AnyValue> as Parameters<typeof resourceFromAttributes>[0],
      res.schemaUrl ? { schemaUrl: res.schemaUrl } : undefined,
    ),
  )
  return lines.map((text) => {
    const line = JSON.parse(text, reviver) as Line
    const resource = resources[line.r]
    const scope = header.scopes[line.s]
    if (!resource || !scope) throw new Error('spool record points at a missing resource or scope')
    const spanContext: SpanContext | undefined = line.c
      ? { traceId: line.c[0], spanId: line.c[1], traceFlags: line.c[2] }
      : undefined
    const record: ReadableLogRecord = {
      hrTime: line.t,
      hrTimeObserved: line.o,
      spanContext,
      severityNumber: line.n,
      severityText: line.x,
      body: line.b,
      eventName: line.e,
      resource,
      instrumentationScope: scope,
      attributes: line.a,
      droppedAttributesCount: line.d,
    }
    return record
  })
}
