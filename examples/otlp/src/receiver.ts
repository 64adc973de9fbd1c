// A stand-in for an OpenTelemetry Collector: accepts OTLP/HTTP JSON log requests on a loopback port and
// hands every log record to `onRecord`. Set `failing` to answer 503, as a collector that is down would.
import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface PrintedRecord {
  service: unknown
  severity: string
  body: unknown
  attributes: Record<string, unknown>
  traceId?: string
}

export interface LocalReceiver {
  url: string
  failing: boolean
  close(): Promise<void>
}

type Value = Record<string, unknown> | undefined
type KeyValue = { key: string; value: Value }
interface ExportRequest {
  resourceLogs?: {
    resource?: { attributes?: KeyValue[] }
    scopeLogs?: {
      logRecords?: { severityText?: string; body?: Value; attributes?: KeyValue[]; traceId?: string }[]
    }[]
  }[]
}

/** OTLP JSON wraps every value as `{ stringValue: … }`, `{ kvlistValue: { values } }`, …: unwrap it. */
function plain(value: Value): unknown {
  if (value === undefined) return undefined
  const kv = value.kvlistValue as { values?: KeyValue[] } | undefined
  if (kv) return attributes(kv.values)
  const list = value.arrayValue as { values?: Value[] } | undefined
  if (list) return (list.values ?? []).map(plain)
  return Object.values(value)[0]
}

function attributes(values: KeyValue[] | undefined): Record<string, unknown> {
  return Object.fromEntries((values ?? []).map(({ key, value }) => [key, plain(value)]))
}

export async function startReceiver(onRecord: (record: PrintedRecord) => void): Promise<LocalReceiver> {
  const state = { failing: false }
  const server = createServer(async (req, res) => {
    let text = ''
    for await (const chunk of req) text += chunk
    if (state.failing) return res.writeHead(503, { 'retry-after': '0' }).end()
    const request = JSON.parse(text) as ExportRequest
    for (const { resource, scopeLogs } of request.resourceLogs ?? []) {
      const service = attributes(resource?.attributes)['service.name']
      for (const { logRecords } of scopeLogs ?? []) {
        for (const log of logRecords ?? []) {
          onRecord({
            service,
            severity: log.severityText ?? '',
            body: plain(log.body),
            attributes: attributes(log.attributes),
            traceId: log.traceId || undefined,
          })
        }
      }
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}/v1/logs`,
    close: () => {
      server.closeAllConnections()
      return new Promise<void>((resolve) => server.close(() => resolve()))
    },
  })
}
