// createBrowserSieve: the core sampler in the page, a batching sender for kept lines, stats to the
// policy server on the Node schedule, a localStorage policy cache, and (opt-in) traceparent on fetch.
import { createSamplerWith, defaultPolicy, LEVEL_NAMES, toMessageText } from '@logsieve/core'
import { encodeOtlp } from './otlp.js'
import { pollPolicy } from './page-poller.js'
import { createPageStats } from './page-stats.js'
import { createBatchQueue } from './queue.js'
import { defaultStorage, storagePolicyCache } from './storage-cache.js'
import { sessionTraceId } from './trace-id.js'
import { createSender } from './transport.js'
import type { BrowserLogger, BrowserSieve, BrowserSieveOptions, Fields, LogRecord } from './types.js'

const SDK = { name: '@logsieve/browser', version: '0.1.0' }

/**
 * Start sampling, sending and stats for one page.
 *
 * @example
 * const sieve = createBrowserSieve({
 *   service: 'shop-web',
 *   server: { url: 'https://logsieve.example.com', apiKey: 'lsk_…' },
 *   endpoint: 'https://collector.example.com/v1/logs',
 *   propagateTrace: traceFetch(['https://api.example.com']), // from '@logsieve/browser/trace'
 * })
 * sieve.logger.info('cart updated', { items: 3 })
 */
export function createBrowserSieve(options: BrowserSieveOptions): BrowserSieve {
  const { service, environment = 'default', server, traceScope = 'session' } = options
  const diag = (error: unknown) => {
    try {
      options.onDiagnostic?.(error instanceof Error ? error : new Error(String(error)))
    } catch {
      // A failing diagnostic callback must not break logging either.
    }
  }
  // Taken before propagateTrace patches fetch: the sieve's own requests never carry traceparent (the
  // policy server's CORS need not allow it). Where fetch is missing, each send fails quietly (the senders
  // and the policy client catch it).
  const doFetch = options.fetch ?? globalThis.fetch?.bind(globalThis)
  const instance = (options.instance ?? `browser/${Math.random().toString(36).slice(2, 10)}`).slice(0, 256)
  let traceId = sessionTraceId(traceScope)

  const stats = createPageStats()
  const sampler = createSamplerWith(stats, { policy: defaultPolicy(service, environment) })

  const endpoint = typeof options.endpoint === 'string' ? { url: options.endpoint } : options.endpoint
  const encode = endpoint?.format ?? encodeOtlp
  const sendLines =
    endpoint && createSender(doFetch, endpoint.url, endpoint.headers, endpoint.beacon ?? !endpoint.headers)
  const queue = createBatchQueue<LogRecord>({
    maxQueue: options.maxQueue ?? 1000,
    maxBatch: options.maxBatch ?? 200,
    encode: (records) => encode(records, { service, environment }),
    send: sendLines ?? (async () => true),
  })

  const base = server?.url.replace(/\/+$/, '')
  // A beacon cannot carry an Authorization header: the ingest key goes in its query.
  const sendBatch =
    server &&
    createSender(
      doFetch,
      `${base}/v1/stats`,
      { authorization: `Bearer ${server.apiKey}` },
      true,
      `${base}/v1/stats?apiKey=${encodeURIComponent(server.apiKey)}`,
    )
  // The cached policy applies here, before the first line; polling starts right after.
  const client =
    server &&
    pollPolicy({
      url: base!,
      apiKey: server.apiKey,
      service,
      environment,
      fetch: doFetch,
      cache: storagePolicyCache(options.storage === undefined ? defaultStorage() : options.storage, diag),
      onPolicy: sampler.setPolicy,
      onError: diag,
    })

  async function sendStats(hiding: boolean): Promise<void> {
    if (!sendBatch) return
    const taken = stats.take()
    if (taken.patterns.length === 0 && taken.overflow.seen === 0) return
    const batch = {
      sdk: SDK,
      service,
      environment,
      instance,
      policyVersion: sampler.policy.version,
      ...taken,
    }
    // An unsent window is folded back in (the table stays bounded) and goes with the next flush.
    if (!(await sendBatch(JSON.stringify(batch), hiding)) && !hiding) stats.merge(taken)
  }

  const flushAll = (hiding: boolean): Promise<void> =>
    Promise.all([queue.flush(hiding), sendStats(hiding)]).then(() => {}, diag)

  const timers = [
    sendLines && setInterval(() => queue.flush().catch(diag), options.flushIntervalMs ?? 5000),
    sendBatch && setInterval(() => sendStats(false).catch(diag), options.statsIntervalMs ?? 30_000),
  ]

  // pagehide covers navigation and closing (and the bfcache); visibilitychange covers tabs that are
  // backgrounded and then killed without another event, which is common on mobile. visibilitychange
  // bubbles from the document to the window, so both are window listeners (none outside a page).
  const onHide = (event: Event) =>
    (event.type === 'pagehide' || document.visibilityState === 'hidden') && flushAll(true)
  const listen = (on: boolean) => {
    for (const type of ['pagehide', 'visibilitychange'])
      globalThis[on ? 'addEventListener' : 'removeEventListener']?.(type, onHide)
  }
  listen(true)
  const unpatch = options.propagateTrace?.(() => traceId)

  function log(level: string | number, message: unknown, fields?: Fields): boolean {
    try {
      const msg = message instanceof Error ? message.message || message.name : toMessageText(message)
      const d = sampler.decide(level, msg, { traceId })
      if (!d.keep) return false
      if (message instanceof Error)
        fields = { ...fields, 'exception.type': message.name, 'exception.stacktrace': message.stack }
      const { level: name, severity, signature, sampleRate } = d
      queue.push({
        time: Date.now(),
        level: name,
        severity,
        message: msg,
        signature,
        sampleRate,
        traceId,
        fields,
      })
      return true
    } catch (error) {
      diag(error)
      return false
    }
  }

  return {
    // One method per canonical level: `logger.info(msg, fields)` is `log('info', msg, fields)`.
    logger: Object.fromEntries(
      LEVEL_NAMES.map((level) => [level, (m: unknown, f?: Fields) => log(level, m, f)]),
    ) as unknown as BrowserLogger,
    log,
    get traceId() {
      return traceId
    },
    newTrace: () => (traceId = sessionTraceId(traceScope, true)),
    get policy() {
      return sampler.policy
    },
    get dropped() {
      return queue.dropped
    },
    flush: () => flushAll(false),
    shutdown() {
      for (const t of timers) clearInterval(t)
      client?.stop()
      unpatch?.()
      listen(false)
      return flushAll(false)
    },
  }
}
