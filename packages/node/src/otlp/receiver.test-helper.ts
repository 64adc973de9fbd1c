// A real OTLP/HTTP logs receiver for tests: node:http on an ephemeral loopback port, decoding the JSON
// requests the official exporter sends, with a switch to answer errors instead.
import { once } from 'node:events'
import { createServer, type IncomingHttpHeaders, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { gunzipSync } from 'node:zlib'

export interface ReceivedRecord {
  resource: Record<string, unknown>
  scope: string
  timeUnixNano: string
  severityNumber: number
  severityText: string
  body: unknown
  attributes: Record<string, unknown>
  traceId: string
  spanId: string
  flags: number
}

export interface Receiver {
  url: string
  /** Every decoded record that was answered 200, in arrival order. */
  records: ReceivedRecord[]
  /** Every POST, whatever the answer. */
  attempts: number
  /** Request headers of the last POST. */
  headers: IncomingHttpHeaders
  /** 200 to accept; 503 answers with `Retry-After: 0` so the exporter's retries run at once. */
  status: number
  close(): Promise<void>
}

interface OtlpAnyValue {
  stringValue?: string
  intValue?: number | string
  doubleValue?: number
  boolValue?: boolean
  bytesValue?: string
  arrayValue?: { values?: OtlpAnyValue[] }
  kvlistValue?: { values?: { key: string; value: OtlpAnyValue }[] }
}

type KeyValues = { key: string; value: OtlpAnyValue }[] | undefined

export function decodeAnyValue(value: OtlpAnyValue | undefined): unknown {
  if (value === undefined) return undefined
  if (value.stringValue !== undefined) return value.stringValue
  if (value.intValue !== undefined) return Number(value.intValue)
  if (value.doubleValue !== undefined) return value.doubleValue
  if (value.boolValue !== undefined) return value.boolValue
  if (value.bytesValue !== undefined) return new Uint8Array(Buffer.from(value.bytesValue, 'base64'))
  if (value.arrayValue !== undefined) return (value.arrayValue.values ?? []).map(decodeAnyValue)
  if (value.kvlistValue !== undefined) return decodeKeyValues(value.kvlistValue.values)
  return null
}

function decodeKeyValues(values: KeyValues): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const { key, value } of values ?? []) out[key] = decodeAnyValue(value)
  return out
}

interface ExportRequest {
  resourceLogs?: {
    resource?: { attributes?: KeyValues }
    scopeLogs?: {
      scope?: { name?: string }
      logRecords?: {
        timeUnixNano: string
        severityNumber: number
        severityText: string
        body?: OtlpAnyValue
        attributes?: KeyValues
        traceId?: string
        spanId?: string
        flags?: number
      }[]
    }[]
  }[]
}

function decodeRequest(request: ExportRequest): ReceivedRecord[] {
  const out: ReceivedRecord[] = []
  for (const resourceLogs of request.resourceLogs ?? []) {
    const resource = decodeKeyValues(resourceLogs.resource?.attributes)
    for (const scopeLogs of resourceLogs.scopeLogs ?? []) {
      for (const log of scopeLogs.logRecords ?? []) {
        out.push({
          resource,
          scope: scopeLogs.scope?.name ?? '',
          timeUnixNano: log.timeUnixNano,
          severityNumber: log.severityNumber,
          severityText: log.severityText,
          body: decodeAnyValue(log.body),
          attributes: decodeKeyValues(log.attributes),
          traceId: log.traceId ?? '',
          spanId: log.spanId ?? '',
          flags: log.flags ?? 0,
        })
      }
    }
  }
  return out
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  const raw = Buffer.concat(chunks)
  return req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw
}

export async function startReceiver(): Promise<Receiver> {
  const receiver = {
    records: [] as ReceivedRecord[],
    attempts: 0,
    headers: {} as IncomingHttpHeaders,
    status: 200,
  }
  const server = createServer((req, res) => {
    readBody(req).then(
      (body) => {
        receiver.attempts += 1
        receiver.headers = req.headers
        if (req.method !== 'POST' || req.url !== '/v1/logs') {
          res.writeHead(404).end()
        } else if (receiver.status !== 200) {
          res.writeHead(receiver.status, { 'retry-after': '0' }).end('{}')
        } else {
          receiver.records.push(...decodeRequest(JSON.parse(body.toString('utf8')) as ExportRequest))
          res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
        }
      },
      () => res.writeHead(400).end(),
    )
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${port}/v1/logs`,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  })
}

/** Wait until `check` holds (polling), failing with `what` after `limitMs`. */
export async function waitFor(check: () => boolean, what: string, limitMs = 10_000): Promise<void> {
  const deadline = Date.now() + limitMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
