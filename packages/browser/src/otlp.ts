// Encoders for batches of kept lines: OTLP/HTTP JSON (what an OpenTelemetry collector's /v1/logs takes)
// or a plain JSON envelope.
import type { LogRecord, Resource } from './types.js'

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}

// OTLP JSON carries int64 as a decimal string.
const attr = (key: string, v: unknown) => ({
  key,
  value:
    typeof v === 'string'
      ? { stringValue: v }
      : typeof v === 'boolean'
        ? { boolValue: v }
        : typeof v === 'number'
          ? Number.isInteger(v)
            ? { intValue: `${v}` }
            : { doubleValue: v }
          : { stringValue: safeJson(v) },
})

/** OTLP/HTTP JSON `ExportLogsServiceRequest` for one batch. */
export function encodeOtlp(records: LogRecord[], resource: Resource): string {
  const logRecords = records.map((r) => {
    const attributes = [attr('logsieve.signature', r.signature)]
    if (r.sampleRate !== 1) attributes.push(attr('logsieve.sample_rate', r.sampleRate))
    for (const key in r.fields) attributes.push(attr(key, r.fields[key]))
    return {
      timeUnixNano: `${r.time}000000`,
      severityNumber: r.severity,
      severityText: r.level.toUpperCase(),
      body: { stringValue: r.message },
      attributes,
      traceId: r.traceId,
    }
  })
  return safeJson({
    resourceLogs: [
      {
        resource: {
          attributes: [
            attr('service.name', resource.service),
            attr('deployment.environment', resource.environment),
          ],
        },
        scopeLogs: [{ scope: { name: '@logsieve/browser' }, logRecords }],
      },
    ],
  })
}

/** `{ service, environment, lines: [{ time, level, msg, signature, sample_rate?, trace_id, ...fields }] }` */
export function encodeJson(records: LogRecord[], resource: Resource): string {
  const lines = records.map((r) => ({
    ...r.fields,
    time: new Date(r.time).toISOString(),
    level: r.level,
    msg: r.message,
    signature: r.signature,
    sample_rate: r.sampleRate === 1 ? undefined : r.sampleRate,
    trace_id: r.traceId,
  }))
  return safeJson({ ...resource, lines })
}
