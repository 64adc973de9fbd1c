// createSieve: the one entry point. Wires the core sampler and stats table to the policy server (policy
// sync with a disk cache, stats windows) and to the request context, and never lets a failure reach
// the app: every network path is asynchronous, bounded and reported through onDiagnostic only.
import { hostname } from 'node:os'
import type { Policy, StatsSnapshot } from '@logsieve/core/sdk'
import {
  ContractError,
  createCoarseClock,
  createPolicyClient,
  createSampler,
  createStatsTable,
  defaultPolicy,
  PolicyFetchError,
  parsePolicy,
  SETTLING_POLICIES,
  toStatsBatch,
  withGetter,
} from '@logsieve/core/sdk'
import { BackfillPool } from './backfill.js'
import { currentTraceparent, reserveOtelSlot, runInScope, type ScopeInit, setScopeFields } from './context.js'
import { createReporter } from './diagnostics.js'
import { defaultCacheDir, diskPolicyCache } from './disk-cache.js'
import { expressErrorHandler, expressMiddleware } from './express.js'
import { createIntegration, joinIntegration } from './integration.js'
import { wrapRouteHandler } from './next/route.js'
import { checkOptions } from './options.js'
import { followPolicyStream } from './policy-stream.js'
import { pollSoon } from './poll-soon.js'
import { asError, createStatsSender, type StatsSender } from './stats-sender.js'
import type { Sieve, SieveOptions } from './types.js'
import { SDK_NAME, SDK_VERSION } from './version.js'

const DEFAULT_BACKFILL_LINES = 100
const DEFAULT_BACKFILL_BYTES = 4 * 1024 * 1024

/**
 * Create a sieve: the sampler behind the pino and winston integrations, the Express and Next.js helpers,
 * policy sync and stats.
 *
 * @example
 * const sieve = createSieve({ service: 'checkout', server: { url: 'http://127.0.0.1:7070', apiKey } })
 * const log = pino(sievePino(sieve))
 */
export function createSieve(options: SieveOptions): Sieve {
  checkOptions(options)
  reserveOtelSlot()
  const service = options.service
  const environment = options.environment ?? process.env.NODE_ENV ?? 'default'
  const fetchImpl = options.fetch ?? globalThis.fetch
  const timeoutMs = options.timeoutMs ?? 10_000
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? 2000
  const flushHooks: Array<() => unknown> = []
  let stopped = false
  let shuttingDown: Promise<void> | undefined
  const report = createReporter(options.onDiagnostic)

  let initial = defaultPolicy(service, environment)
  // Fail-safe start: until a policy arrives (server, cache or option) the app logs what it logged
  // without Logsieve. A cap here would crush a loud pattern whenever the server is down at deploy.
  initial.defaults.newPattern = { rate: 1 }
  if (options.policy !== undefined) {
    const parsed = parsePolicy(options.policy)
    if (parsed.ok) initial = parsed.value
    else report('LOGSIEVE_POLICY_INVALID', parsed.error)
  }

  const stats = createStatsTable({ capacity: options.maxPatterns ?? 2000 })
  // Date.now() on every line would cost a third of a dropped line: the sampler's clock (floor minute,
  // token buckets, rule expiry) only needs the second. The timer is unref'd and stopped at shutdown.
  const clock = createCoarseClock(1000)
  const sampler = createSampler({
    policy: initial,
    stats,
    now: clock.now,
    ...(options.random ? { random: options.random } : {}),
  })

  function applyPolicy(policy: Policy): void {
    sampler.setPolicy(policy)
    try {
      options.onPolicy?.(policy)
    } catch (error) {
      report('LOGSIEVE_CALLBACK_ERROR', error)
    }
  }

  const backfillOptions = options.backfill === false ? undefined : (options.backfill ?? {})
  const pool = backfillOptions
    ? new BackfillPool(
        backfillOptions.maxBytes ?? DEFAULT_BACKFILL_BYTES,
        backfillOptions.maxLinesPerScope ?? DEFAULT_BACKFILL_LINES,
      )
    : undefined

  // Patterns with an example in this window (a sent window clears it).
  const examplesTaken = new Set<string>()
  const otlp = options.otlp

  const meta = {
    sdk: { name: SDK_NAME, version: SDK_VERSION },
    service,
    environment,
    instance: options.instance ?? `${hostname()}/${process.pid}`,
  }

  // Network side: only when a server is configured.
  let sender: StatsSender | undefined
  let stopPolicy: (() => void) | undefined
  let stopEarlyPolls: (() => void) | undefined
  /** Accepted stats batches that started early polls: the first SETTLING_POLICIES (the server's first policies). */
  let earlyRounds = 0
  if (options.server?.url) {
    const server = options.server
    const client = createPolicyClient({
      url: server.url,
      ...(server.apiKey ? { apiKey: server.apiKey } : {}),
      service,
      environment,
      ...(options.cacheDir === false
        ? {}
        : {
            cache: diskPolicyCache(options.cacheDir ?? defaultCacheDir(), (e) =>
              report('LOGSIEVE_CACHE_WRITE', e),
            ),
          }),
      fetch: fetchImpl,
      timeoutMs,
      onPolicy: applyPolicy,
      onError: (error) =>
        // A policy that failed validation is the client's ContractError; anything else a failed fetch.
        error instanceof ContractError
          ? report('LOGSIEVE_POLICY_INVALID', error)
          : report(
              'LOGSIEVE_POLICY_FETCH',
              error instanceof PolicyFetchError
                ? error
                : asError(error, `LOGSIEVE_POLICY_FETCH: GET ${server.url}`),
            ),
    })
    sender = createStatsSender({
      url: server.url,
      ...(server.apiKey ? { apiKey: server.apiKey } : {}),
      table: stats,
      toBatch: (snapshot: StatsSnapshot) =>
        toStatsBatch(snapshot, { ...meta, policyVersion: sampler.policy.version }),
      intervalMs: options.statsIntervalMs ?? 30_000,
      timeoutMs,
      maxBackoffMs: 5 * 60_000,
      fetch: fetchImpl,
      onError: (error) => report('LOGSIEVE_STATS', error),
      onSent: (batch) => {
        // A new service's first accepted stats each make the server generate its next settling policy:
        // poll for each now instead of at the next refresh (SSE pushes them).
        if (earlyRounds < SETTLING_POLICIES && options.follow !== 'sse') {
          earlyRounds++
          stopEarlyPolls?.()
          const version = sampler.policy.version
          stopEarlyPolls = pollSoon(client.refresh, () => stopped || sampler.policy.version !== version)
        }
        try {
          options.onStatsSent?.(batch)
        } catch (error) {
          report('LOGSIEVE_CALLBACK_ERROR', error)
        }
      },
    })
    sender.start()
    // The cache answers first (a local file), then the server; neither blocks the caller.
    void client
      .loadCached()
      .then(() => client.refresh())
      .then(() => {
        if (stopped) return
        if (options.follow === 'sse') {
          stopPolicy = followPolicyStream({
            url: server.url,
            apiKey: server.apiKey,
            service,
            environment,
            fetch: fetchImpl,
            onPolicy: (input) => {
              const parsed = parsePolicy(input)
              if (parsed.ok) applyPolicy(parsed.value)
              else report('LOGSIEVE_POLICY_INVALID', parsed.error)
            },
            onError: (error) => report('LOGSIEVE_POLICY_STREAM', error),
          })
        } else {
          client.start()
          stopPolicy = () => client.stop()
        }
      })
      .catch((error) => report('LOGSIEVE_POLICY_FETCH', error))
  }

  async function runFlushHooks(): Promise<void> {
    for (const hook of flushHooks) {
      try {
        await hook()
      } catch (error) {
        report('LOGSIEVE_FLUSH', error)
      }
    }
  }

  const integration = createIntegration({
    sampler,
    stats,
    pool,
    examples: options.examples ?? false,
    examplesTaken,
    otlp,
    report,
    flushHooks,
  })
  const { openScope, closeScope } = integration

  // policy is defined after (withGetter): a getter here would make the sieve a slow object.
  const sieve: Omit<Sieve, 'policy'> = {
    service,
    environment,
    setPolicy(input: unknown): boolean {
      const parsed = parsePolicy(input)
      if (!parsed.ok) {
        report('LOGSIEVE_POLICY_INVALID', parsed.error)
        return false
      }
      applyPolicy(parsed.value)
      return true
    },
    openScope,
    closeScope,
    run<T>(init: ScopeInit | undefined, fn: () => T): T {
      const scope = openScope(init)
      let result: T
      try {
        result = runInScope(scope, fn)
      } catch (error) {
        closeScope(scope)
        throw error
      }
      if (result instanceof Promise) {
        result.then(
          () => closeScope(scope),
          () => closeScope(scope),
        )
      } else closeScope(scope)
      return result
    },
    setFields: setScopeFields,
    traceparent: currentTraceparent,
    express: (o) => expressMiddleware(integration, o),
    expressErrorHandler: (o) => expressErrorHandler(integration, o),
    route: (handler) => wrapRouteHandler(integration, handler),
    async flush(): Promise<void> {
      await runFlushHooks()
      if (otlp) await otlp.flush().catch((e: unknown) => report('LOGSIEVE_OTLP_FLUSH', e))
      if (sender) {
        examplesTaken.clear()
        await sender.flush()
      }
    },
    shutdown(): Promise<void> {
      // Every caller (a signal handler, the app, a replaced sieve under `next dev`) waits for the one run.
      shuttingDown ??= stop()
      return shuttingDown
    },
  }

  async function stop(): Promise<void> {
    stopped = true
    clock.stop()
    sender?.stop()
    stopPolicy?.()
    stopEarlyPolls?.()
    // A hung server must not hold the app's exit: the last window gets shutdownTimeoutMs, then is given up.
    const deadline = AbortSignal.timeout(shutdownTimeoutMs)
    const work = (async () => {
      await runFlushHooks()
      if (otlp) await otlp.shutdown().catch((e: unknown) => report('LOGSIEVE_OTLP_SHUTDOWN', e))
      await sender?.flush(deadline)
    })().catch((error: unknown) => report('LOGSIEVE_SHUTDOWN', asError(error, 'LOGSIEVE_SHUTDOWN')))
    const expired = new Promise<void>((resolve) => deadline.addEventListener('abort', () => resolve()))
    await Promise.race([work, expired])
    if (deadline.aborted)
      report(
        'LOGSIEVE_SHUTDOWN',
        new Error(`LOGSIEVE_SHUTDOWN: gave up after ${shutdownTimeoutMs} ms (shutdownTimeoutMs)`),
      )
  }
  return joinIntegration(
    withGetter(sieve, 'policy', () => sampler.policy),
    integration,
  )
}
