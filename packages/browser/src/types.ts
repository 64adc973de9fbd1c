// Public options and shapes of @logsieve/browser.
import type { Policy } from '@logsieve/core'

/** Where kept log lines are sent. */
export interface EndpointOptions {
  /** URL that receives batches of kept lines with POST (an OTLP/HTTP collector's `/v1/logs`, or any URL). */
  url: string
  /**
   * How a batch of kept lines becomes the request body: `encodeOtlp` (OTLP/HTTP JSON `resourceLogs`, for
   * an OpenTelemetry collector's `/v1/logs`), `encodeJson` (`{ service, environment, lines }`), both
   * exported by this package, or your own function. Only the encoder you use is bundled.
   * @default encodeOtlp
   */
  format?: LineEncoder
  /** Extra request headers (an API key for the collector). Headers rule out `sendBeacon`. @default {} */
  headers?: Record<string, string>
  /**
   * Use `navigator.sendBeacon` when the page is hidden or closed. The beacon is a CORS simple request
   * (`text/plain` body holding JSON, no custom headers), so it is delivered even while the page dies;
   * the receiver must parse the body as JSON whatever its content type. When false, a `fetch` with
   * `keepalive: true` is used instead (it keeps headers and `application/json`, at the cost of a CORS
   * preflight).
   * @default true when `headers` is empty, else false
   */
  beacon?: boolean
}

export interface BrowserSieveOptions {
  /** Service name: the policy of this service is applied and stats are counted under it. */
  service: string
  /** @default 'default' */
  environment?: string
  /**
   * The Logsieve policy server and an ingest key. Ingest keys may only send stats and read policies,
   * so shipping one in a page is fine. Without it the sieve uses the default policy and sends no stats.
   * @default undefined
   */
  server?: { url: string; apiKey: string }
  /** Where kept lines go (a URL string means `{ url }`: OTLP/HTTP JSON). Without it lines are only counted. */
  endpoint?: string | EndpointOptions
  /**
   * Add a W3C `traceparent` header to the page's `fetch` calls to some origins: `traceFetch(origins)`
   * from `@logsieve/browser/trace` (exact origins such as `'https://api.example.com'`, or regular
   * expressions tested against the origin). Opt-in, and its own entry point: other origins never see the
   * header, which would otherwise fail their CORS preflight.
   * @default undefined (no header anywhere)
   */
  propagateTrace?: TracePropagation
  /**
   * Lifetime of the trace id that sampling thresholds and `traceparent` use: `'session'` keeps it for the
   * tab's session (sessionStorage) so one user's story is kept or dropped together; `'page'` draws a new
   * one per page load.
   * @default 'session'
   */
  traceScope?: 'session' | 'page'
  /** How often kept lines are sent. @default 5000 */
  flushIntervalMs?: number
  /** How often stats are sent to the policy server. @default 30000 */
  statsIntervalMs?: number
  /** Most kept lines waiting to be sent; beyond it new lines are dropped and counted. @default 1000 */
  maxQueue?: number
  /** Most lines in one request. @default 200 */
  maxBatch?: number
  /**
   * Storage for the last policy; `null` disables caching. Failures (private mode, quota) are ignored.
   * @default globalThis.localStorage
   */
  storage?: PolicyStorage | null
  /** Identifies this tab in stats. @default a random id */
  instance?: string
  /** Receives internal errors (network, storage, invalid policy). The sieve never throws into the page. */
  onDiagnostic?: (error: Error) => void
  /** fetch used for the sieve's own requests. @default globalThis.fetch (before any patching) */
  fetch?: typeof fetch
}

/**
 * Installs trace propagation given the sieve's current trace id, and returns what uninstalls it
 * (`traceFetch` from `@logsieve/browser/trace` makes one).
 */
export type TracePropagation = (traceId: () => string) => () => void

/** What every batch describes: the service and environment of its lines. */
export interface Resource {
  service: string
  environment: string
}

/** Turns a batch of kept lines into a request body (see `EndpointOptions.format`). */
export type LineEncoder = (records: LogRecord[], resource: Resource) => string

/**
 * The slice of the Web Storage interface the sieve uses to store the last policy (`localStorage` fits).
 * Spelled out rather than `Pick<Storage, …>` so the published types need no DOM lib.
 */
export interface PolicyStorage {
  getItem(key: string): string | null
  setItem(key: string, value: string): void
}

/** Extra fields of a line: JSON-serializable values. */
export type Fields = Record<string, unknown>

/** A console-style logger. Every method returns true when the line was kept. */
export interface BrowserLogger {
  trace(message: string, fields?: Fields): boolean
  debug(message: string, fields?: Fields): boolean
  info(message: string, fields?: Fields): boolean
  warn(message: string, fields?: Fields): boolean
  error(message: string | Error, fields?: Fields): boolean
  fatal(message: string | Error, fields?: Fields): boolean
}

/** A kept line, as queued for sending. */
export interface LogRecord {
  /** ms since epoch */
  time: number
  level: string
  severity: number
  message: string
  signature: string
  /** 1/rate of the rule that kept it. */
  sampleRate: number
  traceId: string
  fields?: Fields
}

export interface BrowserSieve {
  readonly logger: BrowserLogger
  /** Decide, count and (when kept) queue one line. `level` is a name or a pino number. */
  log(level: string | number, message: unknown, fields?: Fields): boolean
  /** The trace id used for thresholds and `traceparent`. */
  readonly traceId: string
  /** Start a new trace (a new user story, e.g. on a route change) and return its id. */
  newTrace(): string
  /** The policy in force. */
  readonly policy: Policy
  /** Kept lines dropped because the queue was full. */
  readonly dropped: number
  /** Send queued lines and stats now. Never rejects. */
  flush(): Promise<void>
  /** Flush, stop timers and polling, remove listeners and restore `fetch`. Never rejects. */
  shutdown(): Promise<void>
}
