// A real HTTP server that misbehaves on purpose (slow, 500, garbage), for the "never hurt the app" tests.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { gunzipSync } from 'node:zlib'

export interface Received {
  method: string
  url: string
  headers: IncomingMessage['headers']
  body: Buffer
}

export interface HostileServer {
  url: string
  received: Received[]
  /** Decoded JSON bodies of POST /v1/stats. */
  statsBodies(): unknown[]
  close(): Promise<void>
}

export async function startHostileServer(
  handler: (req: Received, res: ServerResponse) => void,
): Promise<HostileServer> {
  const received: Received[] = []
  const sockets = new Set<import('node:net').Socket>()
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const r = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks),
      }
      received.push(r)
      handler(r, res)
    })
  })
  server.on('connection', (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    statsBodies: () =>
      received
        .filter((r) => r.method === 'POST' && r.url === '/v1/stats')
        .map((r) =>
          JSON.parse((r.headers['content-encoding'] === 'gzip' ? gunzipSync(r.body) : r.body).toString()),
        ),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}
