// Fetches a service's policy in the background: ETag / If-None-Match, a pluggable cache of the last
// good policy, core's backoff after failures. Never rejects, never throws.
import { backoff } from './backoff.js'
import type { ParseResult } from './check.js'
import { errorDetail } from './error-detail.js'
import { type Policy, parsePolicy } from './policy-contract.js'
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

/** A timer that does not hold a Node process open (browsers have no unref). */
function timeout(fn: () => void, ms: number): Timer {
  const timer = setTimeout(fn, ms)
  ;(timer as { unref?: () => void }).unref?.()
  return timer
}

/** Calls a host callback; whatever it throws is the host's business, never the polling loop's. */
function call<T>(fn: ((value: T) => unknown) | undefined, value: T): void {
  try {
    fn?.(value)
  } catch {}
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
  return createPolicyClientWith(parsePolicy, options)
}

/**
 * `createPolicyClient` with its own policy check (the browser SDK's smaller one): without
 * createPolicyClient's default, a bundle that brings its check does not carry `parsePolicy`.
 */
export function createPolicyClientWith(
  check: (input: unknown) => ParseResult<Policy>,
  options: PolicyClientOptions,
): PolicyClient {
  const { service, environment = 'default', cache, apiKey, onError } = options
  const key = `${service}:${environment}`
  const target = `${options.url.replace(/\/+$/, '')}/v1/policies/${encodeURIComponent(service)}?environment=${encodeURIComponent(environment)}`
  let current: Policy | undefined
  let etag: string | undefined
  let failures = 0
  let timer: Timer | undefined
  let running = false
  let stopped = false
  let inflight: Promise<Policy | undefined> | undefined
  let abort: AbortController | undefined

  const report = (error: unknown) =>
    call(
      onError,
      error instanceof Error ? error : new PolicyFetchError('LOGSIEVE_POLICY_FETCH', String(error)),
    )

  /** Apply a checked policy (from the server, or from the cache with `save` false). */
  function accept(input: unknown, tag: string | undefined, save: boolean): void {
    const checked = check(input)
    if (!checked.ok) throw checked.error
    current = checked.value
    etag = tag
    const policy = current
    // Not awaited: a slow cache must not delay the policy. The async wrapper turns a throw into a rejection.
    if (save)
      (async () => cache?.save(key, tag === undefined ? { policy } : { policy, etag: tag }))().catch(report)
    call(options.onPolicy, current)
  }

  /** Core's backoff after failures; ±10% around refreshSeconds otherwise. */
  const nextDelay = () =>
    failures > 0
      ? backoff(failures, options.backoff?.baseMs ?? 1000, options.backoff?.maxMs ?? 300_000)
      : (current?.refreshSeconds ?? 30) * 1000 * (0.9 + 0.2 * Math.random())

  function schedule(delayMs: number): void {
    if (!running) return
    clearTimeout(timer)
    timer = timeout(() => void refresh().then(() => schedule(nextDelay())), delayMs)
  }

  async function fetchOnce(): Promise<Policy | undefined> {
    const controller = new AbortController()
    abort = controller
    const timer = timeout(() => controller.abort(), options.timeoutMs ?? 10_000)
    const httpError = (what: unknown, status: number) =>
      new PolicyFetchError('LOGSIEVE_POLICY_HTTP', `GET ${target} answered ${what}`, status)
    try {
      const headers: Record<string, string> = { accept: 'application/json' }
      if (apiKey) headers.authorization = `Bearer ${apiKey}`
      if (etag) headers['if-none-match'] = etag
      const res = await (options.fetch ?? globalThis.fetch)(target, { headers, signal: controller.signal })
      const { status } = res
      if (status !== 200) {
        if (status !== 304) throw httpError(`${status}${await errorDetail(res)}`, status)
        await res.body?.cancel()
      } else {
        const body = await res.json().catch(() => {
          throw httpError('a body that is not JSON', 200)
        })
        accept(body, res.headers.get('etag') ?? undefined, true)
      }
      failures = 0
    } catch (error) {
      failures++
      const aborted = controller.signal.aborted
      // stop() is not a failure.
      if (!(aborted && stopped))
        report(
          aborted && !(error instanceof PolicyFetchError)
            ? new PolicyFetchError('LOGSIEVE_POLICY_FETCH', 'request timed out or was aborted')
            : error,
        )
    } finally {
      clearTimeout(timer)
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
        const cached = await cache?.load(key)
        if (cached && !current) accept(cached.policy, cached.etag, false)
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
      abort?.abort()
    },
  }
}
