// createBrowserSieve: the core sampler in the page, a batching sender for kept lines, stats to the
// policy server on the Node schedule, the policy polled with a localStorage cache, and (opt-in)
// traceparent on fetch. The queue, the sender and the poller are closures over one sieve's settings
// rather than modules of their own: each took its settings again as options, and the bundle has an
// 8 KB budget (docs/browser.md, "Size").
import {
  createBaseSampler,
  defaultPolicy,
  LEVEL_NAMES,
  pinoSeverity,
  toMessageText,
  w3cThreshold,
} from '@logsieve/core'
import { encodeOtlp } from './otlp.js'
import { checkPagePolicy } from './page-policy.js'
import { createPageStats } from './page-stats.js'
import { sessionTraceId } from './trace-id.js'
import type {
  BrowserLogger,
  BrowserSieve,
  BrowserSieveOptions,
  Fields,
  LogRecord,
  PolicyStorage,
} from './types.js'

const SDK = { name: '@logsieve/browser', version: '0.1.0' }

/** Requests that outlive the page (beacon, keepalive) are capped at 64 KiB by browsers, all in flight. */
export const KEEPALIVE_MAX_BYTES = 60_000

/**
 * The page's levels as OpenTelemetry severity numbers: pino numbers (pino's browser build) and the six
 * level names in any case; anything else is info. Core's toSeverityNumber also knows the names of
 * winston, syslog and console, which cost this bundle about 100 B.
 */
export const pageSeverity = (level: unknown): number =>
  typeof level === 'number'
    ? pinoSeverity(level)
    : // Index i of LEVEL_NAMES is severity 4i + 1; not found (-1) is 9.
      (LEVEL_NAMES.indexOf((typeof level === 'string' ? level.toLowerCase() : level) as never) + 1 || 3) * 4 -
      3

/** Format of the stored policy record; bump when the shape changes so old records are ignored, not misread. */
export const CACHE_FORMAT = 1

/**
 * Policy polling backs off 2 s, 4 s, 8 s … after failures, up to 10 × refreshSeconds (300 s by default):
 * core's `backoff` schedule written inline (importing it costs the page ~20 B it does not have).
 */
const BACKOFF_CAP = 10

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
  const { maxQueue = 1000, maxBatch = 200 } = options
  const resource = { service, environment }
  const diag = (error: unknown) => {
    try {
      options.onDiagnostic?.(error instanceof Error ? error : new Error(String(error)))
    } catch {
      // A failing diagnostic callback must not break logging either.
    }
  }
  // Taken before propagateTrace patches fetch: the sieve's own requests never carry traceparent (the
  // policy server's CORS need not allow it). Where fetch is missing, each request fails quietly.
  const doFetch = options.fetch ?? globalThis.fetch?.bind(globalThis)
  const instance = (options.instance ?? `browser/${Math.random().toString(36).slice(2, 10)}`).slice(0, 256)
  let traceId = sessionTraceId(traceScope)

  const stats = createPageStats()
  const sampler = createBaseSampler(stats, {
    policy: defaultPolicy(service, environment),
    severity: pageSeverity,
    // The sieve's trace ids are always W3C (sessionTraceId): hash32, for other ids, stays out of the bundle.
    threshold: w3cThreshold,
  })

  /**
   * POST one JSON body; resolves to true when it was accepted (2xx, or queued by the beacon), never
   * rejects. When hiding, a `beaconUrl` sends it with sendBeacon: a string body makes a text/plain
   * simple request, with no preflight, so it still goes out as the page is torn down. A refused beacon
   * falls through to fetch (keepalive when small enough to outlive the page).
   */
  async function post(
    url: string,
    body: string,
    hiding: boolean,
    headers?: Record<string, string>,
    beaconUrl?: string | false,
  ): Promise<boolean> {
    const small = body.length <= KEEPALIVE_MAX_BYTES
    try {
      if (hiding && beaconUrl && small && navigator.sendBeacon(beaconUrl, body)) return true
    } catch {
      // No beacon: fetch instead.
    }
    try {
      const res = await doFetch!(url, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', ...headers },
        keepalive: small,
        credentials: 'omit',
      })
      return res.ok
    } catch {
      return false
    }
  }

  // Kept lines: a bounded queue, sent in batches of maxBatch that fit the keepalive/beacon limit.
  const endpoint = typeof options.endpoint === 'string' ? { url: options.endpoint } : options.endpoint
  const encode = endpoint?.format ?? encodeOtlp
  let queue: LogRecord[] = []
  let dropped = 0

  async function sendLines(lines: LogRecord[], hiding: boolean): Promise<unknown> {
    const { url, headers, beacon = !headers } = endpoint!
    const body = encode(lines, resource)
    const half = lines.length >> 1
    // Too big to outlive the page: halve until each part fits.
    if (body.length > KEEPALIVE_MAX_BYTES && half)
      return Promise.all([sendLines(lines.slice(0, half), hiding), sendLines(lines.slice(half), hiding)])
    if (await post(url, body, hiding, headers, beacon && url)) return
    // Failed lines go back in front of newer ones, but never beyond the bound: the oldest give way.
    // When hiding, the page is going away: they are dropped.
    const room = hiding ? 0 : Math.max(0, maxQueue - queue.length)
    const back = room ? lines.slice(-room) : []
    dropped += lines.length - back.length
    queue = back.concat(queue)
  }

  function flushLines(hiding: boolean): Promise<unknown> {
    const sends = []
    for (let i = 0; i < queue.length; i += maxBatch)
      sends.push(sendLines(queue.slice(i, i + maxBatch), hiding))
    queue = []
    return Promise.all(sends)
  }

  // Stats and policy: the policy server, with the ingest key.
  const base = server?.url.replace(/\/+$/, '')
  const auth = { authorization: `Bearer ${server?.apiKey}` }

  async function sendStats(hiding: boolean): Promise<void> {
    if (!server) return
    const taken = stats.take()
    if (taken.patterns.length === 0 && taken.overflow.seen === 0) return
    const batch = { sdk: SDK, ...resource, instance, policyVersion: sampler.policy.version, ...taken }
    // A beacon cannot carry an Authorization header: the ingest key goes in its query. An unsent
    // window is folded back in (the table stays bounded) and goes with the next flush.
    const url = `${base}/v1/stats`
    if (
      !(await post(
        url,
        JSON.stringify(batch),
        hiding,
        auth,
        `${url}?apiKey=${encodeURIComponent(server.apiKey)}`,
      ))
    )
      hiding || stats.merge(taken)
  }

  // The policy: the stored one first (localStorage is synchronous, so it applies before the first line),
  // then GET with If-None-Match every refreshSeconds (±10%), backing off after failures (0.5–1 × the
  // backoff, so tabs that failed together do not all come back at once). Core's policy client does the
  // same for any cache and host, at about 500 B more of this bundle. Storage may be missing or throw
  // (private mode, quota, disabled cookies, sandboxed frames): then nothing is stored.
  const storeKey = `logsieve:policy:${service}:${environment}`
  let storage: PolicyStorage | null | undefined = options.storage
  try {
    if (storage === undefined) storage = globalThis.localStorage
  } catch {}
  /** The stored record `{ format, policy, etag }`, if readable (a failure is reported). */
  const stored = () => {
    try {
      return storage && JSON.parse(storage.getItem(storeKey)!)
    } catch (error) {
      diag(error)
    }
  }
  let etag: string | undefined
  let refreshMs = 30_000
  let failures = 0
  let pollTimer: ReturnType<typeof setTimeout> | undefined
  let stopped = false

  /** Check and apply a policy; its ETag goes with it, so the next request revalidates what is in force. */
  function apply(input: unknown, tag: string | undefined, save?: boolean): void {
    const checked = checkPagePolicy(input)
    if (!checked.ok) throw checked.error
    const policy = checked.value
    etag = tag
    refreshMs = (policy.refreshSeconds ?? 30) * 1000
    sampler.setPolicy(policy)
    // Never a newer version replaced by an older one: a slow answer in one tab must not undo the newer
    // policy another tab already stored. An unreadable record is replaced.
    if (save && !(stored()?.policy?.version > policy.version))
      try {
        storage?.setItem(storeKey, JSON.stringify({ format: CACHE_FORMAT, policy, etag: tag }))
      } catch (error) {
        diag(error)
      }
  }

  async function poll(): Promise<void> {
    try {
      const url = `${base}/v1/policies/${encodeURIComponent(service)}?environment=${encodeURIComponent(environment)}`
      // AbortSignal.timeout is missing in older browsers: there a hung request waits for the network stack.
      const res = await doFetch!(url, {
        headers: etag ? { ...auth, 'if-none-match': etag } : auth,
        signal: AbortSignal.timeout?.(10_000),
      })
      if (res.status === 200) apply(await res.json(), res.headers.get('etag') ?? undefined, true)
      else if (res.status !== 304) throw new Error(`LOGSIEVE_POLICY_HTTP: ${res.status}`)
      failures = 0
    } catch (error) {
      failures++
      diag(error)
    }
    if (!stopped)
      pollTimer = setTimeout(
        poll,
        failures
          ? Math.min(1000 * 2 ** failures, BACKOFF_CAP * refreshMs) * (0.5 + Math.random() / 2)
          : refreshMs * (0.9 + Math.random() / 5),
      )
  }

  if (server) {
    try {
      const record = stored()
      if (record?.format === CACHE_FORMAT) apply(record.policy, record.etag)
    } catch (error) {
      diag(error)
    }
    void poll()
  }

  const flushAll = (hiding: boolean): Promise<void> =>
    Promise.all([flushLines(hiding), sendStats(hiding)]).then(() => {}, diag)

  const timers = [
    endpoint && setInterval(() => flushLines(false).catch(diag), options.flushIntervalMs ?? 5000),
    server && setInterval(() => sendStats(false).catch(diag), options.statsIntervalMs ?? 30_000),
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
      // Without an endpoint, kept lines are only counted.
      if (!endpoint) return true
      if (queue.length >= maxQueue) {
        dropped++
        return true
      }
      queue.push({
        time: Date.now(),
        level: d.level,
        severity: d.severity,
        message: msg,
        signature: d.signature,
        sampleRate: d.sampleRate,
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
      return dropped
    },
    flush: () => flushAll(false),
    shutdown() {
      for (const t of timers) clearInterval(t)
      stopped = true
      clearTimeout(pollTimer)
      unpatch?.()
      listen(false)
      return flushAll(false)
    },
  }
}
