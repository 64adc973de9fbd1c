// Follows GET /v1/policies/:service/stream (server-sent events): every `data:` payload carrying a
// policy is handed over as soon as it arrives. Reconnects with backoff; never throws.

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
      failures++
      options.onError(error instanceof Error ? error : new Error(String(error)))
    }
    if (stopped) return
    const delay = Math.min(base * 2 ** failures, max) * (0.5 + Math.random() / 2)
    timer = setTimeout(() => void connect(), delay)
    timer.unref()
  }

  async function read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder()
    let buffer = ''
    for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true })
      // Guard against a peer that never sends an event boundary.
      if (buffer.length > 8 * 1024 * 1024) throw new Error('LOGSIEVE_POLICY_STREAM: event too large')
      let end = buffer.indexOf('\n\n')
      while (end !== -1) {
        dispatch(buffer.slice(0, end))
        buffer = buffer.slice(end + 2)
        end = buffer.indexOf('\n\n')
      }
    }
  }

  function dispatch(event: string): void {
    let data = ''
    for (const line of event.replace(/\r/g, '').split('\n')) {
      if (line.startsWith('data:')) data += (data ? '\n' : '') + line.slice(line[5] === ' ' ? 6 : 5)
    }
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
