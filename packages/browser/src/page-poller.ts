// The page's policy poller: the cached policy first (localStorage is synchronous, so it applies before the
// sieve's first line), then `GET /v1/policies/:service` with If-None-Match every `refreshSeconds`, with
// a doubling backoff after failures. Core's policy client does the same for any cache and host, with
// configurable backoff, request dedup and abort on stop; a page has one loop and one synchronous cache,
// and that generality was about 500 B of a bundle with an 8 KB budget (docs/browser.md, "Size").
import type { Policy } from '@logsieve/core'
import { checkPagePolicy } from './page-policy.js'
import type { SyncPolicyCache } from './storage-cache.js'

export interface PagePollerOptions {
  /** Policy server base URL, without a trailing slash. */
  url: string
  apiKey: string
  service: string
  environment: string
  fetch: typeof fetch | undefined
  /** A synchronous cache (storagePolicyCache): read once at start, written with each new policy. */
  cache: SyncPolicyCache
  onPolicy: (policy: Policy) => void
  onError: (error: unknown) => void
}

export interface PagePoller {
  /** Fetch now (then on schedule again). Never rejects. */
  poll(): Promise<void>
  /** No more requests; a request in flight is left to finish, its policy still applied. */
  stop(): void
}

/** Failures back off 2 s, 4 s, 8 s … up to 10 × refreshSeconds (300 s with the default 30 s). */
const BACKOFF_CAP = 10

/** Apply the cached policy (if valid) and start polling at once. */
export function pollPolicy(o: PagePollerOptions): PagePoller {
  const key = `${o.service}:${o.environment}`
  const target = `${o.url}/v1/policies/${encodeURIComponent(o.service)}?environment=${encodeURIComponent(o.environment)}`
  let etag: string | undefined
  let refreshMs = 30_000
  let failures = 0
  let running = true
  let timer: ReturnType<typeof setTimeout> | undefined

  /** Check and apply a policy; the ETag goes with it, so the next request revalidates what is in force. */
  const apply = (input: unknown, tag: string | undefined, save?: boolean) => {
    const checked = checkPagePolicy(input)
    if (!checked.ok) throw checked.error
    const policy = checked.value
    etag = tag
    refreshMs = (policy.refreshSeconds ?? 30) * 1000
    if (save) o.cache.save(key, { policy, etag: tag })
    o.onPolicy(policy)
  }

  async function poll(): Promise<void> {
    try {
      const headers: Record<string, string> = { authorization: `Bearer ${o.apiKey}` }
      if (etag) headers['if-none-match'] = etag
      // AbortSignal.timeout is missing in older browsers: there a hung request waits for the network stack.
      const res = await o.fetch!(target, { headers, signal: AbortSignal.timeout?.(10_000) })
      if (res.status === 200) apply(await res.json(), res.headers.get('etag') ?? undefined, true)
      else if (res.status !== 304)
        throw new Error(`LOGSIEVE_POLICY_HTTP: GET ${target} answered ${res.status}`)
      failures = 0
    } catch (error) {
      failures++
      o.onError(error)
    }
    clearTimeout(timer)
    // ±10% around refreshSeconds; after failures, 0.5–1.5 × the backoff, so tabs that failed together
    // do not all come back at the same moment.
    if (running)
      timer = setTimeout(
        poll,
        failures
          ? Math.min(1000 * 2 ** failures, BACKOFF_CAP * refreshMs) * (0.5 + Math.random())
          : refreshMs * (0.9 + Math.random() / 5),
      )
  }

  try {
    const cached = o.cache.load(key)
    if (cached) apply(cached.policy, cached.etag)
  } catch (error) {
    o.onError(error)
  }
  void poll()
  return {
    poll,
    stop() {
      running = false
      clearTimeout(timer)
    },
  }
}
