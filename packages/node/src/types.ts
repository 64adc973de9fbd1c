// Public options, the Sieve object returned by createSieve(), and its side for integrations.
import type { Decision, Policy, PolicyInput, Sampler, StatsBatch } from '@logsieve/core/sdk'
import type { Scope, ScopeInit } from './context.js'
import type { ErrorMiddleware, ExpressErrorOptions, ExpressOptions, Middleware } from './express.js'
import type { RouteHandler } from './next/route.js'

/** Something went wrong inside the SDK; it was handled and never reached the app's log call. */
export interface Diagnostic {
  /** e.g. `LOGSIEVE_POLICY_FETCH`, `LOGSIEVE_STATS_NETWORK`, `LOGSIEVE_HOOK_ERROR`. */
  code: string
  message: string
  error?: unknown
}

/** A kept line handed to the OTLP exporter (see `otlp` in SieveOptions). */
export interface ExportRecord {
  severityNumber: number
  severityText: string
  body: string
  attributes: Record<string, unknown>
  /** ms since epoch. */
  timestamp: number
  traceId?: string
  spanId?: string
}

export interface SieveOptions {
  /** Service name, as the policy server knows it (`[A-Za-z0-9._:/@-]`, up to 128 characters). */
  service: string
  /** @default process.env.NODE_ENV ?? 'default' */
  environment?: string
  /** The policy server. Without it the sieve runs on `policy` (or the safe defaults) alone. */
  server?: {
    /** Base URL, e.g. `http://127.0.0.1:7070`. */
    url: string
    /** An ingest key. */
    apiKey?: string
  }
  /** The policy to start with (before the server answers, or without a server). @default defaultPolicy(service) */
  policy?: PolicyInput
  /** Folder for the last good policy, reused at the next start. `false` disables the disk cache. @default `${os.tmpdir()}/logsieve` */
  cacheDir?: string | false
  /** How the SDK learns new policies: ETag polling every `refreshSeconds`, or the server's SSE stream. @default 'poll' */
  follow?: 'poll' | 'sse'
  /** Stats window: how often counts are sent to the server. @default 30_000 */
  statsIntervalMs?: number
  /** Timeout of each request to the policy server. @default 10_000 */
  timeoutMs?: number
  /** Longest `shutdown()` waits for the last stats window and flushes; then it gives up and resolves. @default 2000 */
  shutdownTimeoutMs?: number
  /** Rows in the stats table (space-saving top-K; the rest is summed in an overflow row). @default 2000 */
  maxPatterns?: number
  /** Send one redacted example line per pattern with the stats. @default false */
  examples?: boolean
  /**
   * Error-triggered backfill inside request scopes; `false` disables it.
   * @default { maxLinesPerScope: 100, maxBytes: 4_194_304 }
   */
  backfill?: false | { maxLinesPerScope?: number; maxBytes?: number }
  /** Instance name sent with stats. @default `${os.hostname()}/${process.pid}` */
  instance?: string
  /**
   * Receives every problem the SDK handled (unreachable server, 401/403, rejected stats, invalid policy…),
   * with its cause. `false` silences them. @default stderr, once per kind (code plus status or system
   * error code)
   */
  onDiagnostic?: ((diagnostic: Diagnostic) => void) | false
  /** Called with every stats batch the server accepted. */
  onStatsSent?: (batch: StatsBatch) => void
  /** Called with every new policy in effect (from the cache, the server or `setPolicy`). */
  onPolicy?: (policy: Policy) => void
  /**
   * Send kept lines over OTLP/HTTP: an exporter from `createOtlpExporter` (imported from
   * `@logsieve/node/otlp`, see docs/otlp.md) or any object with `emit`, `flush` and `shutdown`.
   * @default no export
   */
  otlp?: OtlpSink
  /** @default globalThis.fetch */
  fetch?: typeof fetch
  /** Uniform random numbers for lines without a trace id (tests). @default Math.random */
  random?: () => number
}

/** What the sieve needs from an OTLP exporter. */
export interface OtlpSink {
  emit(record: ExportRecord): void
  flush(): Promise<unknown>
  shutdown(): Promise<unknown>
}

/** The sieve users hold: what docs/node.md documents. Integrations reach more with `integrationOf(sieve)`. */
export interface Sieve {
  readonly service: string
  readonly environment: string
  /** The policy in effect. */
  readonly policy: Policy
  /** Replace the policy locally (validated; returns false and reports a diagnostic when invalid). */
  setPolicy(input: unknown): boolean
  /** Run `fn` in a new scope, closed when `fn` returns or its promise settles. */
  run<T>(init: ScopeInit | undefined, fn: () => T): T
  /** Open a request scope (with a backfill buffer); close it with `closeScope` when the request ends. */
  openScope(init?: ScopeInit): Scope
  closeScope(scope: Scope): void
  /** Add user fields (user id, tenant, …) to the current scope. */
  setFields(fields: Record<string, unknown>): void
  /** `traceparent` header value for the current context (send it downstream). */
  traceparent(): string | undefined
  /** Express middleware: `app.use(sieve.express())` before your routes. */
  express(options?: ExpressOptions): Middleware
  /** Express error middleware: `app.use(sieve.expressErrorHandler({ logger }))` after your routes. */
  expressErrorHandler(options?: ExpressErrorOptions): ErrorMiddleware
  /** Wrap a Next.js App Router route handler: `export const GET = sieve.route(handler)`. */
  route<C = unknown>(handler: RouteHandler<C>): (request: Request, context: C) => Promise<Response>
  /** Send the current stats window (and flush loggers and the exporter). Never rejects. */
  flush(): Promise<void>
  /** Stop timers, flush everything once more and release the network. Never rejects. */
  shutdown(): Promise<void>
}

/**
 * A sieve's side for logger integrations (@logsieve/pino, @logsieve/winston, the Express and Next.js
 * helpers, your own): `integrationOf(sieve)`. Not on the Sieve itself, so an app's autocomplete shows the
 * user API only.
 */
export interface SieveIntegration {
  readonly sampler: Sampler
  /**
   * Decide one line: `text` is the format string (`isFormat`) or the rendered message. The returned
   * object is reused, read it before the next call.
   */
  decide(level: unknown, text: unknown, isFormat: boolean, traceId?: string): Decision
  /**
   * The size of the line the last `decide()` kept, once written (see `Sampler.measured`): as written, and
   * as the plain logger would have written it without Logsieve's fields (omitted: the same). Stats then
   * count real bytes for kept lines and estimate dropped ones from them.
   */
  measured(writtenBytes: number, plainBytes?: number): void
  /**
   * Count a dropped line that backfill is writing after all (integrations call this from their
   * replayer): the server budgets the share of a pattern's dropped lines that come back this way.
   */
  backfilled(signature: string, level: unknown): void
  /** The sieve's own `openScope` and `closeScope`, for helpers that hold only this side. */
  openScope(init?: ScopeInit): Scope
  closeScope(scope: Scope): void
  /** True when redacted example lines are collected (the `examples` option). */
  readonly examples: boolean
  /** Record a redacted example line for a kept pattern (when `examples` is on). */
  example(decision: Decision, line: () => string): void
  /** True when kept lines go to an OTLP exporter. */
  readonly exporting: boolean
  /** Hand a kept line to the OTLP exporter (no-op without one). */
  export(record: ExportRecord): void
  /** Report an internal failure through `onDiagnostic`. */
  report(code: string, error: unknown): void
  /** Register work to finish on `flush()`/`shutdown()` (integrations flush their loggers). */
  onFlush(fn: () => Promise<unknown> | unknown): void
}
