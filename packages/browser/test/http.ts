// Small real HTTP servers for tests: a recorder that answers CORS like a collector or backend would.
import { createServer, type IncomingHttpHeaders, type RequestListener } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Running {
  url: string
  close(): Promise<void>
}

export async function listen(handler: RequestListener): Promise<Running> {
  const server = createServer(handler)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

export interface Recorded {
  method: string
  path: string
  headers: IncomingHttpHeaders
  body: string
}

/** A server that records every non-preflight request and allows any CORS request from any origin. */
export async function recorder(): Promise<Running & { requests: Recorded[] }> {
  const requests: Recorded[] = []
  const running = await listen((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      res.setHeader('access-control-allow-origin', req.headers.origin ?? '*')
      if (req.method === 'OPTIONS') {
        res.setHeader('access-control-allow-methods', 'GET, POST')
        res.setHeader('access-control-allow-headers', req.headers['access-control-request-headers'] ?? '')
        res.writeHead(204).end()
        return
      }
      requests.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      })
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
    })
  })
  return { ...running, requests }
}

/** Poll `probe` until it returns a value other than undefined, or fail after `ms` with `what`. */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  ms = 20_000,
) {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}
