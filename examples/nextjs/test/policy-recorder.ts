// A recording proxy in front of the real policy server: the app's sieves reach the server through it,
// so a test sees each of their requests (policy fetches, policy streams, stats) with its environment,
// and when each ended: a policy stream stays open for as long as its sieve lives.
import { createServer, request } from 'node:http'
import { gunzipSync } from 'node:zlib'
import { listen } from './app-process.js'

export interface RecordedRequest {
  method: string
  /** The path without its query, e.g. `/v1/policies/storefront/stream`. */
  path: string
  /** From the query (policy fetches and streams) or the gzipped JSON body (stats). */
  environment: string | undefined
  /** ms since epoch, when it arrived. */
  at: number
  /** ms since epoch, when its response ended or the sieve aborted it; unset while it is open. */
  closedAt?: number
}

export interface PolicyRecorder {
  url: string
  requests: RecordedRequest[]
  close(): Promise<void>
}

export async function startPolicyRecorder(target: string): Promise<PolicyRecorder> {
  const requests: RecordedRequest[] = []
  const proxy = createServer(async (req, res) => {
    const at = Date.now()
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const body = Buffer.concat(chunks)
    const url = new URL(req.url ?? '/', target)
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      environment: url.searchParams.get('environment') ?? bodyEnvironment(body, req.headers),
      at,
    }
    requests.push(recorded)
    const upstream = request(url, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    })
    upstream.on('error', () => res.destroy())
    // A sieve that stops aborts its stream: pass that on, so the server closes its side too.
    res.on('close', () => {
      recorded.closedAt = Date.now()
      upstream.destroy()
    })
    upstream.end(body)
  })
  const url = await listen(proxy)
  return {
    url,
    requests,
    close: () =>
      new Promise((resolve) => {
        proxy.closeAllConnections()
        proxy.close(() => resolve())
      }),
  }
}

function bodyEnvironment(body: Buffer, headers: Record<string, unknown>): string | undefined {
  if (body.length === 0) return undefined
  try {
    const text = headers['content-encoding'] === 'gzip' ? gunzipSync(body).toString() : body.toString()
    const value = (JSON.parse(text) as { environment?: unknown }).environment
    return typeof value === 'string' ? value : undefined
  } catch {
    return undefined
  }
}
