// OTLP export of kept lines: the official OpenTelemetry logs SDK (batching) and OTLP/HTTP exporter
// (encoding, retries), wrapped so that batches it gives up on land in a bounded on-disk spool.
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Context, isSpanContextValid, ROOT_CONTEXT, trace } from '@opentelemetry/api'
import type { LogRecord } from '@opentelemetry/api-logs'
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http'
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources'
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs'
import { toAnyValue, toAttributes } from './any-value.js'
import { createQueueDropCounter } from './queue-drops.js'
import { createSpool } from './spool.js'
import { createSpoolingExporter } from './spooling-exporter.js'
import type { OtlpExporter, OtlpExporterOptions, OtlpLogRecord } from './types.js'

export type {
  OtlpDiagnostic,
  OtlpExporter,
  OtlpExporterOptions,
  OtlpLogRecord,
  OtlpReplayResult,
  OtlpSpoolStats,
} from './types.js'

export const DEFAULT_OTLP_URL = 'http://127.0.0.1:4318/v1/logs'
export const DEFAULT_SPOOL_MAX_BYTES = 50 * 1024 * 1024
/** Longest string value sent; longer ones are cut (a collector rejects huge requests for good). */
const MAX_STRING_LENGTH = 64 * 1024
const SCOPE_NAME = '@logsieve/node'
const SCOPE_VERSION = '0.1.0'

type ExporterConfig = NonNullable<ConstructorParameters<typeof OTLPLogExporter>[0]>

/**
 * Create an OTLP/HTTP log exporter for kept lines, with a bounded on-disk spool for failed batches.
 *
 * @example
 * const otlp = createOtlpExporter({ service: 'checkout', environment: 'prod' })
 * otlp.emit({ severityNumber: 9, severityText: 'info', body: 'user 42 logged in' })
 * await otlp.shutdown()
 */
export function createOtlpExporter(options: OtlpExporterOptions = {}): OtlpExporter {
  const onDiagnostic = options.onDiagnostic
  const report = (code: string, message: string, error?: unknown): void => {
    try {
      onDiagnostic?.({ code, message, error })
    } catch {
      // a throwing diagnostic callback must not break exporting
    }
  }

  const service = options.service ?? 'unknown_service'
  const spoolDir =
    options.spoolDir === false
      ? null
      : (options.spoolDir ?? join(tmpdir(), 'logsieve-otlp-spool', service.replace(/[^\w.-]/g, '_')))
  const spool =
    spoolDir === null
      ? null
      : createSpool({ dir: spoolDir, maxBytes: options.spoolMaxBytes ?? DEFAULT_SPOOL_MAX_BYTES, report })

  const otlp = new OTLPLogExporter({
    url: options.url ?? DEFAULT_OTLP_URL,
    headers: { ...options.headers },
    timeoutMillis: options.timeoutMillis ?? 10_000,
    concurrencyLimit: options.concurrencyLimit ?? 30,
    // the exporter types this as its CompressionAlgorithm enum, whose values are these strings
    compression: (options.compression ?? 'none') as ExporterConfig['compression'],
  })
  const exporter = createSpoolingExporter(otlp, spool, report)
  const drops = createQueueDropCounter()

  const attributes: Record<string, string | number | boolean> = { 'service.name': service }
  if (options.environment !== undefined) {
    attributes['deployment.environment.name'] = options.environment
    attributes['deployment.environment'] = options.environment
  }
  const provider = new LoggerProvider({
    resource: defaultResource().merge(
      resourceFromAttributes({ ...attributes, ...options.resourceAttributes }),
    ),
    processors: [
      new BatchLogRecordProcessor({
        exporter,
        maxQueueSize: options.maxQueueSize ?? 2048,
        maxExportBatchSize: options.maxExportBatchSize ?? 512,
        scheduledDelayMillis: options.scheduledDelayMillis ?? 1000,
        exportTimeoutMillis: options.exportTimeoutMillis ?? 30_000,
        selfObsMeterProvider: drops.meterProvider,
      }),
    ],
  })
  const logger = provider.getLogger(SCOPE_NAME, SCOPE_VERSION)

  let stopped: Promise<void> | null = null
  const safely = async (what: string, task: () => Promise<unknown>): Promise<void> => {
    try {
      await task()
    } catch (error) {
      report('LOGSIEVE_OTLP_FAILED', `${what} failed`, error)
    }
  }

  if (spool !== null && options.replayOnStart !== false) void exporter.replay()

  return {
    emit(record: OtlpLogRecord): void {
      if (stopped !== null) return
      try {
        const logRecord: LogRecord = {
          severityNumber: record.severityNumber,
          severityText: record.severityText,
          body: toAnyValue(record.body, MAX_STRING_LENGTH),
          attributes: toAttributes(record.attributes, MAX_STRING_LENGTH),
          timestamp: record.timestamp ?? Date.now(),
        }
        const errorKey = exceptionKey(record.attributes)
        if (errorKey !== undefined) {
          // the SDK turns it into exception.type/message/stacktrace, which backends show as an exception
          logRecord.exception = record.attributes?.[errorKey]
          delete logRecord.attributes?.[errorKey]
        }
        const context = traceContext(record)
        // without ids of its own, the record takes the active OpenTelemetry span's (Logger.emit default)
        if (context !== undefined) logRecord.context = context
        logger.emit(logRecord)
      } catch (error) {
        report('LOGSIEVE_OTLP_EMIT_FAILED', 'a log record could not be queued for export', error)
      }
    },
    flush: () => safely('flush', () => provider.forceFlush()),
    shutdown() {
      stopped ??= safely('shutdown', () => provider.shutdown())
      return stopped
    },
    replaySpool: () => exporter.replay(),
    spoolStats() {
      const entries = spool?.entries() ?? []
      let bytes = 0
      let records = 0
      for (const entry of entries) {
        bytes += entry.bytes
        records += entry.records
      }
      return {
        files: entries.length,
        bytes,
        records,
        spooledRecords: spool?.counters.spooledRecords ?? 0,
        droppedFiles: spool?.counters.droppedFiles ?? 0,
        droppedRecords: spool?.counters.droppedRecords ?? 0,
        lostRecords: exporter.counters.lostRecords,
        rejectedRecords: exporter.counters.rejectedRecords,
        replayedRecords: exporter.counters.replayedRecords,
        queueDroppedRecords: drops.dropped(),
      }
    },
  }
}

/** The attribute holding the line's Error, under the names pino (`err`) and winston users (`error`) use. */
function exceptionKey(attributes: Record<string, unknown> | undefined): 'err' | 'error' | undefined {
  if (attributes === undefined || attributes === null) return undefined
  if (attributes.err instanceof Error) return 'err'
  if (attributes.error instanceof Error) return 'error'
  return undefined
}

/** A context carrying the record's own trace ids, so they appear in OTLP's traceId/spanId fields. */
function traceContext(record: OtlpLogRecord): Context | undefined {
  if (record.traceId === undefined || record.spanId === undefined) return undefined
  const spanContext = {
    traceId: record.traceId,
    spanId: record.spanId,
    traceFlags: record.traceFlags ?? 1,
    isRemote: true,
  }
  return isSpanContextValid(spanContext) ? trace.setSpanContext(ROOT_CONTEXT, spanContext) : undefined
}
