// Fetches a service's policy in the background: ETag / If-None-Match, a pluggable cache of the last
// good policy, exponential backoff with full jitter after failures. Never rejects, never throws.
import { checkPolicy } from './contract.js'
import type { Policy } from './schema.js'
import type { CachedPolicy, PolicyCache, PolicyClient, PolicyClientOptions } from './types.js'

/** A failure the client reports through `onError`: code `LOGSIEVE_POLICY_FETCH` or `LOGSIEVE_POLICY_HTTP`. */
export class PolicyFetchError extends Error {
  // `declare`: assigned in the constructor, so no class-field initializers in the browser bundle.
  declare readonly code: string
  declare readonly status: number | undefined
  constructor(code: string, message: string, status?: number) {
    super(`${code}: ${message}`)
    this.name = 'PolicyFetchError'
    ;(this as { code: string }).code = code
    ;(this as { status: number | undefined }).status = status
  }
}

/** A cache that lives as long as the process (disk and localStorage caches live in the SDK packages). */
export function memoryPolicyCache(): PolicyCache {
  const map = new Map<string, CachedPolicy>()
  return {
    load: (key) => map.get(key),
    save: (key, value) => {
      map.set(key, value)
    },
  }
}

type Timer = ReturnType<typeof setTimeout>

/** Let a timer not hold the process open (Node); browsers have no unref. */
function unref(timer: Timer): Timer {
  ;(timer as { unref?: () => void }).unref?.()
  return timer
}

/**
 * Create a policy client. It does nothing until `loadCached()`, `refresh()` or `start()`; timers are
 * unref'd so it never keeps a Node process alive.
 *
 * @example
 * const client = createPolicyClient({ url, apiKey, service: 'checkout', environment: 'prod',
 *   cache: memoryPolicyCache(), onPolicy: (p) => sampler.setPolicy(p) })
 * await client.loadCached()
 * client.start()
 */
export function createPolicyClient(options: PolicyClientOptions): PolicyClient {
  const environment = options.environment ?? 'default'
  const key = `${options.service}:${environment}`
  let current: Policy | undefined
  let etag: string | undefined
  let failures = 0
  let timer: Timer | undefined
  let running = false
  let stopped = false
  let inflight: Promise<Policy | undefined> | undefined
  let abort: AbortController | undefined

  function report(error: unknown): void {
    try {
      options.onError?.(
        error instanceof Error ? error : new PolicyFetchError('LOGSIEVE_POLICY_FETCH', String(error)),
      )
    } catch {
      // Never let a diagnostic callback throw into the polling loop.
    }
  }

  function accept(policy: Policy, tag: string | undefined, save: boolean): void {
    current = policy
    etag = tag
    if (save && options.cache) {
      try {
        const saved = options.cache.save(key, tag === undefined ? { policy } : { policy, etag: tag })
        if (saved instanceof Promise) saved.catch(report)
      } catch (error) {
        report(error)
      }
    }
    try {
      options.onPolicy?.(policy)
    } catch {
      // The host's callback failing is its own business; the client keeps polling.
    }
  }

  /** Full jitter after failures (uniform in [0, min(max, base·2^n))); ±10% around refreshSeconds otherwise. */
  function nextDelay(): number {
    if (failures > 0) {
      const base = options.backoff?.baseMs ?? 1000
      const max = options.backoff?.maxMs ?? 300_000
      return Math.random() * Math.min(max, base * 2 ** Math.min(failures - 1, 30))
    }
    return (current?.refreshSeconds ?? 30) * 1000 * (0.9 + 0.2 * Math.random())
  }

  function schedule(delayMs: number): void {
    if (!running) return
    clearTimeout(timer)
    timer = unref(
      setTimeout(() => {
        timer = undefined
        void refresh().then(() => schedule(nextDelay()))
      }, delayMs),
    )
  }

  async function fetchOnce(): Promise<Policy | undefined> {
    const controller = new AbortController()
    abort = controller
    const timeout = unref(setTimeout(() => controller.abort(), options.timeoutMs ?? 10_000))
    const target = `${options.url.replace(/\/+$/, '')}/v1/policies/${encodeURIComponent(options.service)}?environment=${encodeURIComponent(environment)}`
    const httpError = (what: string, status: number) =>
      new PolicyFetchError('LOGSIEVE_POLICY_HTTP', `GET ${target} answered ${what}`, status)
    try {
      const headers: Record<string, string> = { accept: 'application/json' }
      if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`
      if (etag) headers['if-none-match'] = etag
      const res = await (options.fetch ?? globalThis.fetch)(target, { headers, signal: controller.signal })
      if (res.status !== 200) {
        await res.body?.cancel()
        if (res.status !== 304) throw httpError(String(res.status), res.status)
        failures = 0
        return current
      }
      const parsed = checkPolicy(
        await res.json().catch(() => {
          throw httpError('a body that is not JSON', 200)
        }),
      )
      if (!parsed.ok) throw parsed.error
      failures = 0
      accept(parsed.value, res.headers.get('etag') ?? undefined, true)
    } catch (error) {
      failures++
      const aborted = controller.signal.aborted
      if (aborted && stopped) return current // stop() is not a failure
      report(
        aborted && !(error instanceof PolicyFetchError)
          ? new PolicyFetchError('LOGSIEVE_POLICY_FETCH', 'request timed out or was aborted')
          : error,
      )
    } finally {
      clearTimeout(timeout)
      if (abort === controller) abort = undefined
    }
    return current
  }

  function refresh(): Promise<Policy | undefined> {
    inflight ??= fetchOnce().finally(() => {
      inflight = undefined
    })
    return inflight
  }

  return {
    get current() {
      return current
    },
    async loadCached() {
      try {
        const cached = await options.cache?.load(key)
        if (cached === undefined || current !== undefined) return current
        const parsed = checkPolicy(cached.policy)
        if (parsed.ok) accept(parsed.value, cached.etag, false)
        else report(parsed.error)
      } catch (error) {
        report(error)
      }
      return current
    },
    refresh,
    start() {
      if (running) return
      running = true
      stopped = false
      schedule(0)
    },
    stop() {
      running = false
      stopped = true
      clearTimeout(timer)
      timer = undefined
      abort?.abort()
    },
  }
}
