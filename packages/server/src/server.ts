// Building and running a server: programmatic (`startServer`, used by tests and other packages) and
// behind the `logsieve-server` bin.
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import type { Hono } from 'hono'
import { pino } from 'pino'
import { createApp } from './app.js'
import { KeyRing, newKey } from './auth.js'
import { resolveOptions, type ServerOptions } from './config.js'
import type { ServerContext } from './context.js'
import { type GenerateOptions, type GenerateResult, PolicyGenerator } from './generation/generator.js'
import { GenerationWorker } from './generation/worker-client.js'
import { InstanceTracker } from './instances.js'
import { Scheduler } from './jobs/scheduler.js'
import { Metrics } from './metrics.js'
import { PolicyHub } from './policies.js'
import { StatsAggregator } from './stats-aggregator.js'
import { openStore } from './store/open.js'
import { isShared, type KeyScope, type Store } from './store/types.js'

export interface CreatedServer {
  app: Hono
  context: ServerContext
  /** Set when no admin key existed: the new admin key, shown once. */
  createdAdminKey: string | undefined
}

/**
 * Builds the app on the given store (by default SQLite at `dbPath`, migrations applied), without
 * listening.
 */
export async function createServer(options: ServerOptions = {}): Promise<CreatedServer> {
  const resolved = resolveOptions(options)
  const logger =
    typeof options.logger === 'object'
      ? options.logger
      : pino({ level: options.logger ?? 'silent', name: 'logsieve' })
  const store = options.store ?? (await openStore(resolved.dbPath))
  const metrics = new Metrics()
  const stats = new StatsAggregator(store, resolved.maxPatternsPerService, (service, environment, seen) =>
    metrics.inc('logsieve_overflow_lines_total', { service, environment }, seen),
  )
  const policies = new PolicyHub(store)
  const worker = new GenerationWorker(logger)
  const generation = new PolicyGenerator({
    store,
    stats,
    policies,
    metrics,
    logger,
    options: resolved,
    worker,
  })
  const scheduler = new Scheduler({ store, stats, generator: generation, logger, options: resolved })
  const keys = new KeyRing(store, resolved)
  const context: ServerContext = {
    options: resolved,
    store,
    keys,
    policies,
    stats,
    instances: new InstanceTracker(store, (err) => logger.error({ err }, 'instance reports write failed')),
    generation,
    scheduler,
    metrics,
    logger,
  }
  if (isShared(store)) {
    // Changes made by other processes: new versions reach this one's cache and streams, revocations its keys.
    const warn = (err: unknown) => logger.warn({ err }, 'policy refresh failed')
    await store.listen({
      policy: (service, environment, version) =>
        void policies.refresh(service, environment, version).catch(warn),
      keys: () => keys.invalidate(),
      resync: () => {
        keys.invalidate()
        void policies.resync().catch(warn)
      },
    })
  }
  let createdAdminKey: string | undefined
  if (!resolved.adminKey && !(await store.hasAdminKey())) {
    const { key, record } = newKey('admin', 'initial admin key', null, resolved.now())
    await store.insertKey(record)
    createdAdminKey = key
  }
  return { app: createApp(context), context, createdAdminKey }
}

export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:43121`. */
  url: string
  port: number
  app: Hono
  store: Store
  context: ServerContext
  createdAdminKey: string | undefined
  /** Create an API key directly (tests, setup scripts); returns the plain key. */
  createKey(scope: KeyScope, services?: string[] | null, name?: string): Promise<string>
  /** Generate a policy now, as `POST /v1/policies/:service/generate` does. */
  generate(service: string, environment?: string, options?: GenerateOptions): Promise<GenerateResult>
  /** Write aggregated stats to the database now. */
  flush(): Promise<void>
  /** Stop accepting requests, end streams, finish in-flight requests, flush, checkpoint the WAL, close. */
  close(): Promise<void>
}

/**
 * Start a policy server.
 *
 * @example
 * const server = await startServer({ port: 0, dbPath: join(tmp, 'logsieve.db'), adminKey: 'test-admin' })
 * const ingestKey = await server.createKey('ingest', ['checkout'])
 * // … fetch(`${server.url}/v1/policies/checkout`, { headers: { authorization: `Bearer ${ingestKey}` } })
 * await server.close()
 */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const { app, context, createdAdminKey } = await createServer(options)
  const { options: resolved, store, stats, instances, generation, scheduler, policies, logger } = context
  const server = serve({
    fetch: app.fetch,
    port: resolved.port,
    hostname: resolved.host,
    // Slow or silent clients cannot hold sockets for Node's defaults (60 s headers, 300 s request).
    serverOptions: {
      headersTimeout: resolved.headersTimeoutMs,
      requestTimeout: resolved.requestTimeoutMs,
      keepAliveTimeout: resolved.keepAliveTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, resolved.headersTimeoutMs),
    },
  })
  server.maxConnections = resolved.maxConnections
  await new Promise<void>((resolve, reject) => {
    if (server.listening) return resolve()
    server.once('listening', () => resolve())
    server.once('error', reject)
  })
  const { port } = server.address() as AddressInfo
  const flushTimer = setInterval(() => {
    stats.flush().catch((err: unknown) => logger.error({ err }, 'stats flush failed'))
    instances.flush().catch((err: unknown) => logger.error({ err }, 'instance reports write failed'))
  }, resolved.flushIntervalMs)
  flushTimer.unref()
  scheduler.start()
  const host = resolved.host.includes(':') ? `[${resolved.host}]` : resolved.host
  // A database URL's password stays out of the log.
  const db = resolved.dbPath.replace(/^(postgres(?:ql)?:\/\/[^:/@]+):[^@]*@/i, '$1:***@')
  logger.info({ port, host: resolved.host, db }, 'logsieve server listening')

  let closing: Promise<void> | undefined
  const close = (): Promise<void> => {
    closing ??= (async () => {
      clearInterval(flushTimer)
      policies.shutdown()
      const done = new Promise<void>((resolve) => server.close(() => resolve()))
      if ('closeIdleConnections' in server) server.closeIdleConnections()
      // Requests still running after the drain time are cut: shutdown must finish in bounded time.
      const force = setTimeout(
        () => 'closeAllConnections' in server && server.closeAllConnections(),
        resolved.drainMs,
      )
      await done
      clearTimeout(force)
      await scheduler.stop()
      await generation.close()
      await stats.flush()
      await instances.flush().catch((err: unknown) => logger.error({ err }, 'instance reports write failed'))
      await store.close()
      logger.info('logsieve server stopped')
    })()
    return closing
  }

  return {
    url: `http://${host}:${port}`,
    port,
    app,
    store,
    context,
    createdAdminKey,
    async createKey(scope, services = null, name = `${scope} key`) {
      const { key, record } = newKey(scope, name, services, resolved.now())
      await store.insertKey(record)
      return key
    },
    generate: (service, environment = 'default', opts) => generation.generate(service, environment, opts),
    flush: () => stats.flush(),
    close,
  }
}
