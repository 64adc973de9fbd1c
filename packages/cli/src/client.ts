// A small HTTP client for the policy server's admin API that turns every failure into a CliError with
// the exit code CI scripts rely on (see errors.ts).
import { CliError, EXIT } from './errors.js'

export interface ClientOptions {
  /** Server base URL, e.g. `http://127.0.0.1:7070`. */
  url: string | undefined
  /** Admin key, sent as a Bearer token. */
  key: string | undefined
  /** @default 15_000 */
  timeoutMs?: number
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>
  body?: unknown
  /** Statuses returned to the caller instead of thrown (e.g. 422 for `validate`). */
  accept?: number[]
}

export interface ApiResponse<T = unknown> {
  status: number
  body: T
}

export interface Client {
  readonly url: string
  request<T = unknown>(method: string, path: string, options?: RequestOptions): Promise<ApiResponse<T>>
}

interface ErrorBody {
  error?: { code?: string; message?: string; field?: string }
}

export function createClient(options: ClientOptions): Client {
  if (!options.url) {
    throw new CliError(EXIT.usage, 'no policy server: pass --server URL or set LOGSIEVE_URL')
  }
  let base: URL
  try {
    base = new URL(options.url)
  } catch {
    throw new CliError(EXIT.usage, `--server: "${options.url}" is not a URL (e.g. http://127.0.0.1:7070)`)
  }
  const url = base.href.replace(/\/$/, '')
  const timeoutMs = options.timeoutMs ?? 15_000

  return {
    url,
    async request<T>(method: string, path: string, req?: RequestOptions): Promise<ApiResponse<T>> {
      const target = new URL(url + path)
      for (const [k, v] of Object.entries(req?.query ?? {})) {
        if (v !== undefined) target.searchParams.set(k, String(v))
      }
      const headers: Record<string, string> = { accept: 'application/json' }
      if (options.key) headers.authorization = `Bearer ${options.key}`
      if (req?.body !== undefined) headers['content-type'] = 'application/json'
      let res: Response
      try {
        res = await fetch(target, {
          method,
          headers,
          body: req?.body === undefined ? undefined : JSON.stringify(req.body),
          signal: AbortSignal.timeout(timeoutMs),
        })
      } catch (error) {
        throw new CliError(EXIT.unreachable, `cannot reach the policy server at ${url}: ${describe(error)}`, {
          code: 'LOGSIEVE_UNREACHABLE',
        })
      }
      const text = await res.text()
      let body: unknown
      try {
        body = text === '' ? undefined : JSON.parse(text)
      } catch {
        throw new CliError(
          EXIT.server,
          `${method} ${path}: the server answered ${res.status} with a body that is not JSON (is ${url} a logsieve server?)`,
          { code: 'LOGSIEVE_BAD_RESPONSE' },
        )
      }
      if (res.ok || req?.accept?.includes(res.status)) return { status: res.status, body: body as T }
      throw toError(
        res.status,
        body as ErrorBody | undefined,
        options.key !== undefined && options.key !== '',
      )
    },
  }
}

function toError(status: number, body: ErrorBody | undefined, hasKey: boolean): CliError {
  const code = body?.error?.code ?? `HTTP_${status}`
  const field = body?.error?.field
  const detail = body?.error?.message ?? `HTTP ${status}`
  const message = field && !detail.includes(field) ? `${field}: ${detail}` : detail
  if (status === 401) {
    const hint = hasKey ? 'the key was refused' : 'no key given: pass --key or set LOGSIEVE_KEY'
    return new CliError(EXIT.auth, `${hint} (${message})`, { code })
  }
  if (status === 403)
    return new CliError(EXIT.auth, `the key is not allowed to do this (${message})`, { code })
  if (status === 404) return new CliError(EXIT.notFound, message, { code })
  if (status >= 400 && status < 500) {
    return new CliError(EXIT.rejected, message, { code, ...(field !== undefined && { field }) })
  }
  return new CliError(EXIT.server, `the server failed (${status}): ${message}`, { code })
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError') return 'timed out'
    const cause = (error as { cause?: { code?: string; message?: string } }).cause
    return cause?.code ?? cause?.message ?? error.message
  }
  return String(error)
}
