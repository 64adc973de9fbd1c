// Run the browser example: `pnpm --filter @logsieve-examples/browser start`, then open the printed URL.
// Starts the policy server (SQLite in a temp dir), creates an ingest key, bundles src/page.ts for the
// browser and serves the page, a log sink that prints kept lines, and a backend route that echoes the
// `traceparent` it received.
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startServer } from '@logsieve/server'
import { build } from 'esbuild'

export interface ExampleServer {
  url: string
  policyServer: string
  close(): Promise<void>
}

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let body = ''
    req.on('data', (c: Buffer) => {
      body += c.toString('utf8')
    })
    req.on('end', () => resolve(body))
  })

const page = (server: string, apiKey: string) => `<!doctype html>
<meta charset="utf-8"><title>Logsieve in the browser</title>
<h1>Logsieve in the browser</h1>
<button id="noise">log 100 noisy lines</button> <button id="fail">log an error</button>
<button id="call">call the backend</button>
<pre id="out"></pre>
<script>window.LOGSIEVE = ${JSON.stringify({ server, apiKey })}</script>
<script type="module" src="/page.js"></script>`

/** Start everything on ephemeral ports (or `port` for the page). `print` receives each kept line. */
export async function startExample(
  port = 0,
  print: (line: string) => void = () => {},
): Promise<ExampleServer> {
  const dir = mkdtempSync(join(tmpdir(), 'logsieve-example-'))
  const adminKey = `example-admin-${Math.random().toString(36).slice(2)}`
  const bundle = await build({
    entryPoints: [fileURLToPath(new URL('./page.ts', import.meta.url))],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
  })
  const script = bundle.outputFiles[0]!.text

  const http: Server = createServer(async (req, res) => {
    if (req.url === '/page.js') return res.writeHead(200, { 'content-type': 'text/javascript' }).end(script)
    if (req.url === '/ingest/logs' && req.method === 'POST') {
      // Beacons arrive as text/plain: the body is JSON all the same.
      const batch = JSON.parse(await readBody(req)) as { lines: Array<Record<string, unknown>> }
      for (const line of batch.lines) print(JSON.stringify(line))
      return res.writeHead(204).end()
    }
    if (req.url === '/api/hello') return res.writeHead(200).end(req.headers.traceparent ?? '(none)')
    res.writeHead(200, { 'content-type': 'text/html' }).end(page(policy.url, ingestKey))
  })
  await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`

  const policy = await startServer({
    port: 0,
    dbPath: join(dir, 'logsieve.db'),
    adminKey,
    corsOrigins: [url],
  })
  const res = await fetch(`${policy.url}/v1/keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ scope: 'ingest', name: 'browser example', services: ['shop-web'] }),
  })
  const { key: ingestKey } = (await res.json()) as { key: string }

  return {
    url,
    policyServer: policy.url,
    async close() {
      http.closeAllConnections()
      await new Promise<void>((resolve) => http.close(() => resolve()))
      await policy.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const example = await startExample(Number(process.env.PORT ?? 5173), (line) => console.log('kept:', line))
  console.log(`open ${example.url} (policy server at ${example.policyServer}); Ctrl-C to stop`)
}
