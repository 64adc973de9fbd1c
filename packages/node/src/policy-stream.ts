// Follows GET /v1/policies/:service/stream (server-sent events): every event carrying a policy is handed
// over as soon as it arrives. The stream is read by `eventsource-parser` (the spec's line ends, comments,
// multi-line data); reconnects with core's backoff; never throws.
import { backoff } from '@logsieve/core/sdk'
import { createParser } from 'eventsource-parser'

export interface PolicyStreamOptions {
  url: string
  apiKey?: string | undefined
  service: string
  environment: string
  fetch: typeof fetch
  onPolicy: (policy: unknown) => void
  onError: (error: Error) => void
  /** @default { baseMs: 1000, maxMs: 60_000 } */
  backoff?: { baseMs?: number; maxMs?: number }
}

/** Longest event held while it arrives: guards against a peer that never ends one. */
const MAX_EVENT_CHARS = 8 * 1024 * 1024

/** Start following; returns a function that stops. */
export function followPolicyStream(options: PolicyStreamOptions): () => void {
  const base = options.backoff?.baseMs ?? 1000
  const max = options.backoff?.maxMs ?? 60_000
  const endpoint = `${options.url.replace(/\/+$/, '')}/v1/policies/${encodeURIComponent(options.service)}/stream?environment=${encodeURIComponent(options.environment)}`
  let controller: AbortController | undefined
  let timer: NodeJS.Timeout | undefined
  let failures = 0
  let stopped = false

  async function connect(): Promise<void> {
    controller = new AbortController()
    const headers: Record<string, string> = { accept: 'text/event-stream' }
    if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`
    try {
      const res = await options.fetch(endpoint, { headers, signal: controller.signal })
      if (!res.ok || !res.body) throw new Error(`LOGSIEVE_POLICY_STREAM: ${endpoint} answered ${res.status}`)
      failures = 0
      await read(res.body)
    } catch (error) {
      if (stopped) return
      options.onError(error instanceof Error ? error : new Error(String(error)))
    }
    if (stopped) return
    // A stream that ended is a failure too: a server that closes at once is not reconnected to in a loop.
    timer = setTimeout(() => void connect(), backoff(++failures, base, max))
    timer.unref()
  }

  async function read(body: ReadableStream<Uint8Array>): Promise<void> {
    let overflow: Error | undefined
    const parser = createParser({
      maxBufferSize: MAX_EVENT_CHARS,
      onEvent: (event) => dispatch(event.data),
      onError: (error) => {
        if (error.type === 'max-buffer-size-exceeded')
          overflow = new Error('LOGSIEVE_POLICY_STREAM: event too large')
      },
    })
    const decoder = new TextDecoder()
    for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
      parser.feed(decoder.decode(chunk, { stream: true }))
      if (overflow) throw overflow
    }
  }

  function dispatch(data: string): void {
    if (!data) return
    try {
      const value = JSON.parse(data) as { policy?: unknown; version?: unknown }
      if (value && typeof value === 'object') options.onPolicy(value.policy ?? value)
    } catch (error) {
      options.onError(new Error(`LOGSIEVE_POLICY_STREAM: unreadable event (${(error as Error).message})`))
    }
  }

  void connect()
  return () => {
    stopped = true
    if (timer) clearTimeout(timer)
    controller?.abort()
  }
}
