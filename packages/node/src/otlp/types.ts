// Public types of the OTLP exporter: options (with their defaults), the record shape and the statistics.

/** One kept log line, as the sieve hands it to the exporter. */
export interface OtlpLogRecord {
  /** OpenTelemetry severity number (TRACE 1–4 … FATAL 21–24). */
  severityNumber: number
  /** Level name as the app logged it (`info`, `warn`, …). */
  severityText: string
  /** The message, or any JSON-like value. Circular references and Errors are made serializable. */
  body: unknown
  /** Extra fields of the line (signature, sample_rate, user fields, …). */
  attributes?: Record<string, unknown>
  /** Time of the log call in milliseconds since the epoch. @default Date.now() */
  timestamp?: number
  /** 32 hex characters. Without it, the active OpenTelemetry span (if any) is used. */
  traceId?: string
  /** 16 hex characters. */
  spanId?: string
  /** W3C trace flags (1 = sampled). @default 1 */
  traceFlags?: number
}

/** A diagnostic event: the exporter never throws, it reports here instead. */
export interface OtlpDiagnostic {
  /** Stable code, e.g. `LOGSIEVE_OTLP_SPOOL_WRITE_FAILED`. */
  code: string
  message: string
  error?: unknown
}

export interface OtlpExporterOptions {
  /** OTLP/HTTP logs endpoint (JSON encoding). @default 'http://127.0.0.1:4318/v1/logs' */
  url?: string
  /** Extra HTTP headers, e.g. `{ authorization: 'Bearer …' }`. @default {} */
  headers?: Record<string, string>
  /** Request body compression. @default 'none' */
  compression?: 'gzip' | 'none'
  /**
   * Deadline of one export in milliseconds, retries included: the exporter retries 429/502/503/504 with
   * backoff (1 s × 1.5ⁿ, at most 5 retries) and stops retrying when the next wait would pass this.
   * @default 10000
   */
  timeoutMillis?: number
  /** Exports in flight at once (the official exporter's limit). @default 30 */
  concurrencyLimit?: number
  /** Sets the `service.name` resource attribute. @default 'unknown_service' */
  service?: string
  /** Sets `deployment.environment.name` and the older `deployment.environment` resource attributes. */
  environment?: string
  /** More resource attributes (they win over `service` / `environment`). @default {} */
  resourceAttributes?: Record<string, string | number | boolean>
  /** Records held in memory before export; when full, new records are dropped and counted. @default 2048 */
  maxQueueSize?: number
  /** Records per OTLP request (and per spool file). @default 512 */
  maxExportBatchSize?: number
  /** Delay between two scheduled exports in milliseconds. @default 1000 */
  scheduledDelayMillis?: number
  /** How long the batch processor waits for one export (keep it above `timeoutMillis`). @default 30000 */
  exportTimeoutMillis?: number
  /**
   * Folder of the on-disk spool (dead-letter queue) for batches whose export failed for good, or `false`
   * to drop them instead. Use one folder per process.
   * @default join(os.tmpdir(), 'logsieve-otlp-spool', <service>)
   */
  spoolDir?: string | false
  /** Size cap of the spool; past it the oldest batches are deleted and counted. @default 52428800 (50 MB) */
  spoolMaxBytes?: number
  /** Replay the spool in the background when the exporter is created. @default true */
  replayOnStart?: boolean
  /** Receives what went wrong (never called on the hot path's success). @default no-op */
  onDiagnostic?: (event: OtlpDiagnostic) => void
}

/** Counters of the spool and of the in-memory queue. */
export interface OtlpSpoolStats {
  /** Spool files on disk now (one per failed batch). */
  files: number
  /** Bytes on disk now. */
  bytes: number
  /** Log records on disk now. */
  records: number
  /** Records written to the spool since start. */
  spooledRecords: number
  /** Spool files deleted by the size cap (oldest first) since start. */
  droppedFiles: number
  /** Records in those files. */
  droppedRecords: number
  /** Records lost because the spool was disabled or a write failed. */
  lostRecords: number
  /** Records the receiver rejected for good (HTTP 400 or 413): never spooled, or deleted from the spool. */
  rejectedRecords: number
  /** Records delivered by replays since start. */
  replayedRecords: number
  /** Records dropped before export because the in-memory queue (`maxQueueSize`) was full. */
  queueDroppedRecords: number
}

export interface OtlpReplayResult {
  /** Records delivered in this pass. */
  replayed: number
  /** Records still in the spool after this pass (failed, or not tried because the endpoint failed). */
  failed: number
}

export interface OtlpExporter {
  /** Queue one kept line for export. Synchronous, never throws, never waits on the network. */
  emit(record: OtlpLogRecord): void
  /** Export what is queued now; failed batches end in the spool. Never rejects. */
  flush(): Promise<void>
  /** Flush, wait for spool writes and replays, then stop. Later `emit` calls are ignored. Never rejects. */
  shutdown(): Promise<void>
  /** Send the spooled batches again, oldest first; stops at the first failure. Never rejects. */
  replaySpool(): Promise<OtlpReplayResult>
  /** Counters, read from memory (cheap). */
  spoolStats(): OtlpSpoolStats
}
