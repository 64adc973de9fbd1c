// createBrowserSieve: the core sampler in the page, a batching sender for kept lines, stats to the
// policy server on the Node schedule, a localStorage policy cache, and traceparent on fetch.
import {
  createPolicyClient,
  createSampler,
  createStatsTable,
  defaultPolicy,
  LEVEL_NAMES,
  type Policy,
  type PolicyClient,
  toStatsBatch,
} from '@logsieve/core'
import { encodeJson, encodeOtlp } from './otlp.js'
import { createBatchQueue } from './queue.js'
import { defaultStorage, storagePolicyCache } from './storage-cache.js'
import { patchFetch, sessionTraceId } from './trace.js'
import { post } from './transport.js'
import type { BrowserLogger, BrowserSieve, BrowserSieveOptions, Fields, LogRecord } from './types.js'

const SDK = { name: '@logsieve/browser', version: '0.1.0' }

function errorMessage(value: unknown): string {
  if (typeof value === 'string') return value
  if (value instanceof Error) return value.message || value.name
  try {
    return String(value)
  } catch {
    return ''
  }
}

/**
 * Start sampling, sending and stats for one page.
 *
 * @example
 * const sieve = createBrowserSieve({
 *   service: 'shop-web',
 *   server: { url: 'https://logsieve.example.com', apiKey: 'lsk_…' },
 *   endpoint: 'https://collector.example.com/v1/logs',
 *   propagateTraceTo: ['https://api.example.com'],
 * })
 * sieve.logger.info('cart updated', { items: 3 })
 */
export function createBrowserSieve(options: BrowserSieveOptions): BrowserSieve {
  const diag = (error: unknown) => {
    try {
      options.onDiagnostic?.(error instanceof Error ? error : new Error(String(error)))
    } catch {
      // A failing diagnostic callback must not break logging either.
    }
  }
  const service = options.service
  const environment = options.environment ?? 'default'
  const resource = { service, environment }
  // Taken before patchFetch: the sieve's own requests never carry traceparent (the policy server's CORS
  // need not allow it). Where fetch is missing, sends fail quietly instead of throwing here.
  const doFetch: typeof fetch =
    options.fetch ??
    (typeof fetch === 'function'
      ? fetch.bind(globalThis)
      : () => Promise.reject(new Error('fetch is unavailable')))
  const instance = options.instance ?? `browser/${Math.random().toString(36).slice(2, 10)}`
  const scope = options.traceScope ?? 'session'
  let traceId = sessionTraceId(scope)

  const stats = createStatsTable()
  const sampler = createSampler({ stats, policy: defaultPolicy(service, environment) })

  const endpoint = typeof options.endpoint === 'string' ? { url: options.endpoint } : options.endpoint
  const encode = endpoint?.format === 'json' ? encodeJson : encodeOtlp
  const logTarget = endpoint && {
    url: endpoint.url,
    headers: endpoint.headers,
    beacon: endpoint.beacon ?? !endpoint.headers,
    fetch: doFetch,
  }
  const queue = createBatchQueue<LogRecord>({
    maxQueue: options.maxQueue ?? 1000,
    maxBatch: options.maxBatch ?? 200,
    encode: (records) => encode(records, resource),
    send: (body, hiding) => (logTarget ? post(logTarget, body, hiding) : Promise.resolve(true)),
  })

  const server = options.server
  const base = server?.url.replace(/\/+$/, '')
  const statsTarget = server && {
    url: `${base}/v1/stats`,
    beaconUrl: `${base}/v1/stats?apiKey=${encodeURIComponent(server.apiKey)}`,
    headers: { authorization: `Bearer ${server.apiKey}` },
    beacon: true,
    fetch: doFetch,
  }
  let client: PolicyClient | undefined
  if (server) {
    const c = createPolicyClient({
      url: server.url,
      apiKey: server.apiKey,
      service,
      environment,
      fetch: doFetch,
      cache: storagePolicyCache(options.storage === undefined ? defaultStorage() : options.storage, diag),
      onPolicy: (policy: Policy) => sampler.setPolicy(policy),
      onError: diag,
    })
    client = c
    // The cached policy applies first; polling starts right after, whatever the cache held.
    c.loadCached().then(
      () => c.start(),
      (error) => {
        diag(error)
        c.start()
      },
    )
  }

  async function sendStats(hiding: boolean): Promise<void> {
    if (!statsTarget) return
    const snapshot = stats.snapshot()
    if (snapshot.rows.length === 0 && snapshot.overflow.seen === 0) return
    const meta = { sdk: SDK, service, environment, instance, policyVersion: sampler.policy.version }
    const ok = await post(statsTarget, JSON.stringify(toStatsBatch(snapshot, meta)), hiding)
    // An unsent window is folded back in (the table stays bounded) and goes with the next flush.
    if (!ok && !hiding) stats.merge(snapshot)
  }

  function flushAll(hiding: boolean): Promise<void> {
    return Promise.all([queue.flush(hiding), sendStats(hiding)]).then(
      () => {},
      (error) => diag(error),
    )
  }

  const timers: ReturnType<typeof setInterval>[] = []
  if (logTarget) timers.push(setInterval(() => queue.flush().catch(diag), options.flushIntervalMs ?? 5000))
  if (statsTarget)
    timers.push(setInterval(() => sendStats(false).catch(diag), options.statsIntervalMs ?? 30_000))

  // pagehide covers navigation and closing (and the bfcache); visibilitychange covers tabs that are
  // backgrounded and then killed without another event, which is common on mobile.
  const onHide = () => void flushAll(true)
  const onVisibility = () => {
    if (document.visibilityState === 'hidden') onHide()
  }
  const hasWindow = typeof addEventListener === 'function' && typeof document !== 'undefined'
  if (hasWindow) {
    addEventListener('pagehide', onHide)
    document.addEventListener('visibilitychange', onVisibility)
  }
  const unpatch = patchFetch(options.propagateTraceTo ?? [], () => traceId)

  function log(level: string | number, message: unknown, fields?: Fields): boolean {
    try {
      const msg = errorMessage(message)
      const decision = sampler.decide(level, msg, { traceId })
      if (!decision.keep) return false
      const record: LogRecord = {
        time: Date.now(),
        level: decision.level,
        severity: decision.severity,
        message: msg,
        signature: decision.signature,
        sampleRate: decision.sampleRate,
        traceId,
      }
      if (message instanceof Error)
        fields = { ...fields, 'exception.type': message.name, 'exception.stacktrace': message.stack }
      if (fields) record.fields = fields
      queue.push(record)
      return true
    } catch (error) {
      diag(error)
      return false
    }
  }

  // One method per canonical level: `logger.info(msg, fields)` is `log('info', msg, fields)`.
  const logger = Object.fromEntries(
    LEVEL_NAMES.map((level) => [level, (m: unknown, f?: Fields) => log(level, m, f)]),
  ) as unknown as BrowserLogger

  return {
    logger,
    log,
    get traceId() {
      return traceId
    },
    newTrace() {
      traceId = sessionTraceId(scope, true)
      return traceId
    },
    get policy() {
      return sampler.policy
    },
    get dropped() {
      return queue.dropped
    },
    flush: () => flushAll(false),
    async shutdown() {
      for (const t of timers) clearInterval(t)
      client?.stop()
      unpatch()
      if (hasWindow) {
        removeEventListener('pagehide', onHide)
        document.removeEventListener('visibilitychange', onVisibility)
      }
      await flushAll(false)
    },
  }
}
