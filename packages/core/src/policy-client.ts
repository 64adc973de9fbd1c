// Fetches a service's policy in the background: ETag / If-None-Match, a pluggable cache of the last
// good policy, exponential backoff with full jitter after failures. Never rejects, never throws.
import { checkPolicy } from './contract.js'
import type { Policy } from './schema.js'
import type { CachedPolicy, PolicyCache, PolicyClient, PolicyClientOptions } from './types.js'

/** A failure the client reports through `onError`: code `LOGSIEVE_POLICY_FETCH` or `LOGSIEVE_POLICY_HTTP`. */
export class PolicyFetchError extends Error {
  readonly code: string
  readonly status: number | undefined
  constructor(code: string, message: string, status?: number) {
    super(`${code}: ${message}`)
    this.name = 'PolicyFetchError'
    this.code = code
    this.status = status
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

class HttpPolicyClient implements PolicyClient {
  current: Policy | undefined
  private etag: string | undefined
  private failures = 0
  private timer: Timer | undefined
  private running = false
  private stopped = false
  private inflight: Promise<Policy | undefined> | undefined
  private abort: AbortController | undefined
  private readonly key: string
  private readonly environment: string

  constructor(private readonly options: PolicyClientOptions) {
    this.environment = options.environment ?? 'default'
    this.key = `${options.service}:${this.environment}`
  }

  async loadCached(): Promise<Policy | undefined> {
    try {
      const cached = await this.options.cache?.load(this.key)
      if (cached === undefined || this.current !== undefined) return this.current
      const parsed = checkPolicy(cached.policy)
      if (!parsed.ok) {
        this.report(parsed.error)
        return this.current
      }
      this.accept(parsed.value, cached.etag, false)
    } catch (error) {
      this.report(error)
    }
    return this.current
  }

  refresh(): Promise<Policy | undefined> {
    this.inflight ??= this.fetchOnce().finally(() => {
      this.inflight = undefined
    })
    return this.inflight
  }

  start(): void {
    if (this.running) return
    this.running = true
    this.stopped = false
    this.schedule(0)
  }

  stop(): void {
    this.running = false
    this.stopped = true
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
    this.abort?.abort()
  }

  private schedule(delayMs: number): void {
    if (!this.running) return
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = unref(
      setTimeout(() => {
        this.timer = undefined
        void this.refresh().then(() => this.schedule(this.nextDelay()))
      }, delayMs),
    )
  }

  /** Full jitter after failures (uniform in [0, min(max, base·2^n))); ±10% around refreshSeconds otherwise. */
  private nextDelay(): number {
    if (this.failures > 0) {
      const base = this.options.backoff?.baseMs ?? 1000
      const max = this.options.backoff?.maxMs ?? 300_000
      return Math.random() * Math.min(max, base * 2 ** Math.min(this.failures - 1, 30))
    }
    const seconds = this.current?.refreshSeconds ?? 30
    return seconds * 1000 * (0.9 + 0.2 * Math.random())
  }

  private async fetchOnce(): Promise<Policy | undefined> {
    const { url, service, apiKey } = this.options
    const doFetch = this.options.fetch ?? globalThis.fetch
    const controller = new AbortController()
    this.abort = controller
    const timeout = unref(setTimeout(() => controller.abort(), this.options.timeoutMs ?? 10_000))
    try {
      const headers: Record<string, string> = { accept: 'application/json' }
      if (apiKey) headers.authorization = `Bearer ${apiKey}`
      if (this.etag) headers['if-none-match'] = this.etag
      const target = `${url.replace(/\/+$/, '')}/v1/policies/${encodeURIComponent(service)}?environment=${encodeURIComponent(this.environment)}`
      const res = await doFetch(target, { headers, signal: controller.signal })
      if (res.status === 304) {
        await res.body?.cancel()
        this.failures = 0
        return this.current
      }
      if (res.status !== 200) {
        await res.body?.cancel()
        throw new PolicyFetchError('LOGSIEVE_POLICY_HTTP', `GET ${target} answered ${res.status}`, res.status)
      }
      let body: unknown
      try {
        body = await res.json()
      } catch {
        throw new PolicyFetchError(
          'LOGSIEVE_POLICY_HTTP',
          `GET ${target} answered a body that is not JSON`,
          200,
        )
      }
      const parsed = checkPolicy(body)
      if (!parsed.ok) throw parsed.error
      this.failures = 0
      this.accept(parsed.value, res.headers.get('etag') ?? undefined, true)
    } catch (error) {
      this.failures++
      if (controller.signal.aborted && this.stopped) return this.current // stop() is not a failure
      this.report(
        controller.signal.aborted && !(error instanceof PolicyFetchError)
          ? new PolicyFetchError('LOGSIEVE_POLICY_FETCH', 'request timed out or was aborted')
          : error,
      )
    } finally {
      clearTimeout(timeout)
      if (this.abort === controller) this.abort = undefined
    }
    return this.current
  }

  private accept(policy: Policy, etag: string | undefined, save: boolean): void {
    this.current = policy
    this.etag = etag
    if (save && this.options.cache) {
      try {
        const saved = this.options.cache.save(this.key, etag === undefined ? { policy } : { policy, etag })
        if (saved instanceof Promise) saved.catch((e: unknown) => this.report(e))
      } catch (error) {
        this.report(error)
      }
    }
    try {
      this.options.onPolicy?.(policy)
    } catch {
      // The host's callback failing is its own business; the client keeps polling.
    }
  }

  private report(error: unknown): void {
    try {
      const e = error instanceof Error ? error : new PolicyFetchError('LOGSIEVE_POLICY_FETCH', String(error))
      this.options.onError?.(e)
    } catch {
      // Same as onPolicy: never let a diagnostic callback throw into the polling loop.
    }
  }
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
  return new HttpPolicyClient(options)
}
