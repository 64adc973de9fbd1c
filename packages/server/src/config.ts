// Server options, their defaults, and how the bin reads them from flags and the environment.
import type { Logger } from 'pino'
import type { Store } from './store/types.js'

export interface RateLimitOptions {
  /** Sustained requests per second allowed per API key and client. @default 200 */
  perSecond?: number
  /** Requests a key may burst above the sustained rate. @default 1000 */
  burst?: number
  /**
   * What one bucket covers: `'client'` is one API key from one client address (a public browser key used
   * by thousands of tabs is limited per tab's address, not as one), `'key'` is the key from anywhere.
   * @default 'client'
   */
  per?: 'client' | 'key'
}

export interface ServerOptions {
  /** TCP port; 0 picks a free one. @default 7070 */
  port?: number
  /** Interface to bind. @default '127.0.0.1' */
  host?: string
  /**
   * SQLite file (directories are created), ':memory:' for a throwaway store, or a `postgres://` URL to
   * share one PostgreSQL database between several server processes (see docs/deployment.md, "Scaling out").
   * @default './.logsieve/logsieve.db'
   */
  dbPath?: string
  /**
   * An admin key accepted in addition to keys stored in the database (never stored). When unset and the
   * database holds no admin key, one is created on first start and returned once (`createdAdminKey`).
   */
  adminKey?: string
  /** How often stats are checked and policies regenerated for services with fresh stats; 0 turns it off. @default 60_000 */
  generationIntervalMs?: number
  /**
   * A service/environment without any policy is generated for this long after its first stats (instead
   * of at the next generation interval); only while periodic generation is on. @default 2_000
   */
  firstPolicyDelayMs?: number
  /** How often aggregated stats are written to SQLite (one transaction per flush). @default 2_000 */
  flushIntervalMs?: number
  /** Largest request body, after gzip decompression. @default 1_048_576 */
  bodyLimitBytes?: number
  /** Origins allowed to call the ingest routes from a browser; `['*']` allows any. @default ['*'] */
  corsOrigins?: string[]
  /** Rate limit per API key and client address; `false` turns it off. @default { perSecond: 200, burst: 1000, per: 'client' } */
  rateLimit?: RateLimitOptions | false
  /**
   * Take the client address from the first `X-Forwarded-For` entry (set this only behind a reverse proxy
   * that writes it); otherwise the socket's address. @default false
   */
  trustProxy?: boolean
  /** Days raw minute stats are kept before being rolled up to hours. @default 7 */
  retentionDays?: number
  /** Days hourly rollups are kept. @default 90 */
  rollupRetentionDays?: number
  /** Interval of SSE heartbeat comments, so proxies keep the stream open. @default 15_000 */
  heartbeatMs?: number
  /** Smoothing factor of the per-pattern rate EMA (weight of the newest window). @default 0.3 */
  emaAlpha?: number
  /** z-score above which a pattern's rate counts as an anomaly. @default 4 */
  anomalyZ?: number
  /** A pino logger, or a level for a new one writing to stdout. @default 'silent' (the bin uses 'info') */
  logger?: Logger | string
  /**
   * Most patterns one service/environment tracks; lines of further patterns are counted in its overflow
   * row (like an SDK's), get no rule, and show in `GET /v1/services`. @default 10_000
   */
  maxPatternsPerService?: number
  /**
   * Whether `GET /metrics` needs an unscoped admin key (it lists every service and its volume).
   * @default true unless `host` is a loopback address
   */
  metricsRequireKey?: boolean
  /** Time a client has to send a request's headers, ms. @default 10_000 */
  headersTimeoutMs?: number
  /** Time a client has to send a whole request (headers and body), ms. @default 30_000 */
  requestTimeoutMs?: number
  /** How long an idle keep-alive connection stays open, ms. @default 5_000 */
  keepAliveTimeoutMs?: number
  /** Most concurrent connections (open policy streams count); further ones are closed. @default 10_000 */
  maxConnections?: number
  /** How long `close()` lets in-flight requests finish before cutting them, ms. @default 5_000 */
  drainMs?: number
  /** Clock in ms; tests inject one. @default Date.now */
  now?: () => number
  /**
   * The storage: any implementation of the `Store` interface (PostgreSQL, or a shared `SqliteStore`).
   * The server closes it on `close()`. @default a `SqliteStore` at `dbPath`
   */
  store?: Store
}

export type ResolvedOptions = Required<Omit<ServerOptions, 'adminKey' | 'logger' | 'rateLimit' | 'store'>> & {
  adminKey: string | undefined
  rateLimit: Required<RateLimitOptions> | false
}

export const DEFAULT_PORT = 7070
export const DEFAULT_DB_PATH = './.logsieve/logsieve.db'

/** True for addresses only this machine can reach. */
export const isLoopback = (host: string): boolean =>
  host === 'localhost' || host === '::1' || host.startsWith('127.')

export function resolveOptions(options: ServerOptions = {}): ResolvedOptions {
  const rl = options.rateLimit
  return {
    port: options.port ?? DEFAULT_PORT,
    host: options.host ?? '127.0.0.1',
    dbPath: options.dbPath ?? DEFAULT_DB_PATH,
    adminKey: options.adminKey,
    generationIntervalMs: options.generationIntervalMs ?? 60_000,
    flushIntervalMs: options.flushIntervalMs ?? 2_000,
    bodyLimitBytes: options.bodyLimitBytes ?? 1_048_576,
    corsOrigins: options.corsOrigins ?? ['*'],
    rateLimit:
      rl === false
        ? false
        : { perSecond: rl?.perSecond ?? 200, burst: rl?.burst ?? 1000, per: rl?.per ?? 'client' },
    trustProxy: options.trustProxy ?? false,
    retentionDays: options.retentionDays ?? 7,
    rollupRetentionDays: options.rollupRetentionDays ?? 90,
    heartbeatMs: options.heartbeatMs ?? 15_000,
    emaAlpha: options.emaAlpha ?? 0.3,
    anomalyZ: options.anomalyZ ?? 4,
    firstPolicyDelayMs: options.firstPolicyDelayMs ?? 2_000,
    maxPatternsPerService: options.maxPatternsPerService ?? 10_000,
    metricsRequireKey: options.metricsRequireKey ?? !isLoopback(options.host ?? '127.0.0.1'),
    headersTimeoutMs: options.headersTimeoutMs ?? 10_000,
    requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
    keepAliveTimeoutMs: options.keepAliveTimeoutMs ?? 5_000,
    maxConnections: options.maxConnections ?? 10_000,
    drainMs: options.drainMs ?? 5_000,
    now: options.now ?? Date.now,
  }
}

/**
 * Options from command-line flags (`--port 7070`, `--db=path`) and environment variables
 * (`LOGSIEVE_PORT`, `LOGSIEVE_DB`, `LOGSIEVE_HOST`, ...); flags win.
 */
export function optionsFromEnv(argv: string[], env: NodeJS.ProcessEnv): ServerOptions {
  const flags = new Map<string, string>()
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    // A bare `--` (what `pnpm start -- --port 8080` passes through) separates nothing here.
    if (!arg.startsWith('--') || arg === '--') continue
    const eq = arg.indexOf('=')
    if (eq > 0) flags.set(arg.slice(2, eq), arg.slice(eq + 1))
    else flags.set(arg.slice(2), argv[++i] ?? '')
  }
  const pick = (flag: string, name: string): string | undefined => flags.get(flag) ?? env[name] ?? undefined
  const num = (flag: string, name: string): number | undefined => {
    const v = pick(flag, name)
    if (v === undefined || v === '') return undefined
    const n = Number(v)
    if (!Number.isFinite(n) || n < 0)
      throw new Error(`LOGSIEVE_CONFIG_INVALID: --${flag} must be a number >= 0`)
    return n
  }
  const origins = pick('cors-origins', 'LOGSIEVE_CORS_ORIGINS')
  const out: ServerOptions = {
    port: num('port', 'LOGSIEVE_PORT'),
    host: pick('host', 'LOGSIEVE_HOST'),
    dbPath: pick('db', 'LOGSIEVE_DB'),
    adminKey: pick('admin-key', 'LOGSIEVE_ADMIN_KEY'),
    generationIntervalMs: num('generation-interval-ms', 'LOGSIEVE_GENERATION_INTERVAL_MS'),
    flushIntervalMs: num('flush-interval-ms', 'LOGSIEVE_FLUSH_INTERVAL_MS'),
    bodyLimitBytes: num('body-limit', 'LOGSIEVE_BODY_LIMIT'),
    retentionDays: num('retention-days', 'LOGSIEVE_RETENTION_DAYS'),
    corsOrigins: origins ? origins.split(',').map((s) => s.trim()) : undefined,
    logger: pick('log-level', 'LOGSIEVE_LOG_LEVEL') ?? 'info',
    maxPatternsPerService: num('max-patterns-per-service', 'LOGSIEVE_MAX_PATTERNS_PER_SERVICE'),
    firstPolicyDelayMs: num('first-policy-delay-ms', 'LOGSIEVE_FIRST_POLICY_DELAY_MS'),
    headersTimeoutMs: num('headers-timeout-ms', 'LOGSIEVE_HEADERS_TIMEOUT_MS'),
    requestTimeoutMs: num('request-timeout-ms', 'LOGSIEVE_REQUEST_TIMEOUT_MS'),
    keepAliveTimeoutMs: num('keep-alive-timeout-ms', 'LOGSIEVE_KEEP_ALIVE_TIMEOUT_MS'),
    maxConnections: num('max-connections', 'LOGSIEVE_MAX_CONNECTIONS'),
    drainMs: num('drain-ms', 'LOGSIEVE_DRAIN_MS'),
  }
  const metricsKey = pick('metrics-require-key', 'LOGSIEVE_METRICS_REQUIRE_KEY')
  if (metricsKey !== undefined)
    out.metricsRequireKey = metricsKey === '' || metricsKey === '1' || metricsKey === 'true'
  const trust = pick('trust-proxy', 'LOGSIEVE_TRUST_PROXY')
  if (trust !== undefined) out.trustProxy = trust === '' || trust === '1' || trust === 'true'
  const rps = num('rate-limit', 'LOGSIEVE_RATE_LIMIT')
  if (rps !== undefined) out.rateLimit = rps === 0 ? false : { perSecond: rps, burst: rps * 5 }
  for (const k of Object.keys(out) as (keyof ServerOptions)[]) if (out[k] === undefined) delete out[k]
  return out
}
