// Sends the stats table to the policy server every window: gzip, one request in flight, backoff after
// failures, and a failed window folded back into the table (StatsTable.merge) so memory stays bounded.
import { promisify } from 'node:util'
import { gzip as gzipCallback } from 'node:zlib'
import {
  backoff,
  errorDetail,
  type StatsBatch,
  type StatsSnapshot,
  type StatsTable,
} from '@logsieve/core/sdk'

const gzip = promisify(gzipCallback)

export interface StatsSenderOptions {
  /** Policy server base URL. */
  url: string
  apiKey?: string
  table: StatsTable
  /** Turns a snapshot into a wire batch (adds sdk, service, instance, policy version). */
  toBatch: (snapshot: StatsSnapshot) => StatsBatch
  /** Window length. */
  intervalMs: number
  /**
   * Window length until the first batch is accepted, so a new instance's first stats (and the policy the
   * server generates from them) come within seconds. @default min(2000, intervalMs)
   */
  firstIntervalMs?: number
  /**
   * Window length after the first accepted batch; each next window is twice as long until `intervalMs`.
   * The server generates a new service's first policy from seconds of stats and settles it on the next
   * windows (SETTLING_POLICIES), each on about twice the traffic. @default min(8000, intervalMs)
   */
  secondIntervalMs?: number
  timeoutMs: number
  /** Longest wait between attempts after repeated failures. */
  maxBackoffMs: number
  fetch: typeof fetch
  onError: (error: Error) => void
  /** Called with every batch the server accepted (tests, metrics). */
  onSent?: (batch: StatsBatch) => void
}

export interface StatsSender {
  start(): void
  /**
   * Send the current window now. Resolves true when it was accepted (or there was nothing to send).
   * `signal` aborts the request early (shutdown's own deadline).
   */
  flush(signal?: AbortSignal): Promise<boolean>
  stop(): void
  /** Consecutive failed attempts. */
  readonly failures: number
}

export function createStatsSender(options: StatsSenderOptions): StatsSender {
  const endpoint = `${options.url.replace(/\/+$/, '')}/v1/stats`
  let timer: NodeJS.Timeout | undefined
  let inFlight: Promise<boolean> | undefined
  let active: AbortController | undefined
  let failures = 0
  let running = false
  let accepted = 0
  const firstIntervalMs = Math.min(options.firstIntervalMs ?? 2000, options.intervalMs)
  const secondIntervalMs = Math.min(options.secondIntervalMs ?? 8000, options.intervalMs)

  function schedule(): void {
    if (!running) return
    // Core's backoff after failures (2, 4, 8 … intervals, jittered so a fleet does not retry in lockstep).
    const interval =
      accepted === 0 ? firstIntervalMs : Math.min(options.intervalMs, secondIntervalMs * 2 ** (accepted - 1))
    const delay = failures === 0 ? interval : backoff(failures, 2 * interval, options.maxBackoffMs)
    timer = setTimeout(tick, Math.max(1, delay))
    timer.unref()
  }

  function tick(): void {
    timer = undefined
    void flush().finally(schedule)
  }

  function flush(signal?: AbortSignal): Promise<boolean> {
    // Whichever request is in flight (a timer's or this one) ends when the caller's signal fires.
    signal?.addEventListener('abort', () => active?.abort(), { once: true })
    if (inFlight) return inFlight
    inFlight = send().finally(() => {
      inFlight = undefined
    })
    return inFlight
  }

  async function send(): Promise<boolean> {
    const snapshot = options.table.snapshot()
    if (snapshot.rows.length === 0 && snapshot.overflow.seen === 0) return true
    let batch: StatsBatch
    try {
      batch = options.toBatch(snapshot)
    } catch (error) {
      options.onError(asError(error, 'LOGSIEVE_STATS_ENCODE'))
      return false
    }
    const controller = new AbortController()
    active = controller
    try {
      const body = await gzip(JSON.stringify(batch))
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'content-encoding': 'gzip',
      }
      if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`
      const res = await options.fetch(endpoint, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.any([controller.signal, AbortSignal.timeout(options.timeoutMs)]),
      })
      // Read the body (the connection can then be reused): an error's names the server's reason.
      const detail = res.ok
        ? await res.arrayBuffer().then(
            () => '',
            () => '',
          )
        : await errorDetail(res)
      if (res.ok) {
        failures = 0
        accepted++
        options.onSent?.(batch)
        return true
      }
      // A 4xx other than 408/429 means this batch will never be accepted: drop it rather than retry forever.
      const retryable = res.status >= 500 || res.status === 408 || res.status === 429
      if (retryable) keep(snapshot)
      failures++
      const rejected = new Error(`LOGSIEVE_STATS_REJECTED: POST ${endpoint} answered ${res.status}${detail}`)
      options.onError(Object.assign(rejected, { status: res.status }))
      return false
    } catch (error) {
      keep(snapshot)
      failures++
      options.onError(asError(error, `LOGSIEVE_STATS_NETWORK: POST ${endpoint}`))
      return false
    }
  }

  function keep(snapshot: StatsSnapshot): void {
    try {
      options.table.merge(snapshot)
    } catch (error) {
      options.onError(asError(error, 'LOGSIEVE_STATS_MERGE'))
    }
  }

  return {
    start() {
      if (running) return
      running = true
      schedule()
    },
    flush,
    stop() {
      running = false
      if (timer) clearTimeout(timer)
      timer = undefined
    },
    get failures() {
      return failures
    },
  }
}

export function asError(error: unknown, code: string): Error {
  const message = error instanceof Error ? error.message : String(error)
  const out = new Error(`${code}: ${message}`)
  if (error instanceof Error) out.cause = error
  return out
}
