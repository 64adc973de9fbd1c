// The example as a real Next.js app: `next build`, then `next start` against a real policy server on a
// real port, checked over HTTP. The build must make no request to the policy server; the running app
// keeps one sieve per process, samples by the server's policy, logs a thrown route error in its
// request's trace (with the dropped debug line written first), and delivers the last stats window on
// SIGTERM (NEXT_MANUAL_SIG_HANDLE=true), so the server counts every line of every request, and says on
// stderr that it cannot without that setting.
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { type RunningServer, startServer } from '@logsieve/server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { requirement, titled } from '../../../test/support/requirement.js'
import { appDir, layOutApp, nextBin } from './app.js'
import { listen, type RunningApp, startApp, until } from './app-process.js'

const run = promisify(execFile)
const skip = requirement('next', existsSync(nextBin), `is not installed at ${nextBin}`, 'pnpm install')

const ADMIN = 'admin-next-test-0123456789'
const SERVICE = 'storefront'
const traceOf = (n: number): string => n.toString(16).padStart(32, 'a')

describe.skipIf(skip)(titled('a real Next.js app (next build, next start)', skip), () => {
  let dir: string
  let server: RunningServer
  let app: RunningApp
  let key: string
  const buildHits: string[] = []
  let requests = 0

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'logsieve-next-'))
    // The policy server as `next build` sees it: any request it gets is a failure.
    const buildServer = createServer((req, res) => {
      buildHits.push(`${req.method} ${req.url}`)
      res.writeHead(503).end()
    })
    const buildUrl = await listen(buildServer)
    await layOutApp()
    await run(process.execPath, [nextBin, 'build'], {
      cwd: appDir,
      env: {
        ...process.env,
        NEXT_TELEMETRY_DISABLED: '1',
        LOGSIEVE_URL: buildUrl,
        LOGSIEVE_KEY: 'lsk_build',
      },
    }).finally(() => buildServer.close())

    server = await startServer({
      port: 0,
      host: '127.0.0.1',
      dbPath: join(dir, 'db.sqlite'),
      adminKey: ADMIN,
      generationIntervalMs: 0,
    })
    key = await server.createKey('ingest', [SERVICE])
    await admin('PUT', `/v1/policies/${SERVICE}?environment=production`, {
      refreshSeconds: 1,
      defaults: { levels: { debug: 0, info: 1 }, newPattern: { rate: 1 } },
    })
    app = await startApp(nextBin, {
      NEXT_MANUAL_SIG_HANDLE: 'true',
      LOGSIEVE_URL: server.url,
      LOGSIEVE_KEY: key,
      TMPDIR: dir,
    })
  }, 240_000)

  afterAll(async () => {
    if (app?.child.exitCode === null) app.child.kill('SIGKILL')
    await server?.close()
    await rm(dir, { recursive: true, force: true })
    await rm(appDir, { recursive: true, force: true })
  })

  async function admin(method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    expect(res.ok).toBe(true)
    return res.json()
  }

  /** GET an order with a known trace id; every call is one request the stats must count. */
  async function order(id: string, trace: number): Promise<Response> {
    requests++
    return fetch(`${app.url}/api/orders?id=${id}`, {
      headers: { traceparent: `00-${traceOf(trace)}-00f067aa0ba902b7-01` },
    })
  }
  const linesOf = (trace: number) => app.lines.filter((l) => l.trace_id === traceOf(trace))

  it('next build made no request to the policy server', () => {
    expect(buildHits).toEqual([])
  })

  it("samples by the server's policy: debug lines dropped, info lines kept", async () => {
    // Until the first policy arrives the sieve keeps everything (fail-safe start).
    let trace = 0
    await until(async () => {
      await order('o-1', ++trace)
      await until(async () => linesOf(trace).some((l) => l.msg === 'order o-1 served'))
      return !linesOf(trace).some((l) => l.msg === 'looking up order o-1')
    })
    const traces = new Set<unknown>()
    for (let i = 0; i < 20; i++) {
      const res = await order(`o-${i}`, ++trace)
      expect(res.status).toBe(200)
      expect(res.headers.get('traceparent')).toMatch(new RegExp(`^00-${traceOf(trace)}-[0-9a-f]{16}-01$`))
      traces.add(traceOf(trace))
    }
    await until(async () => linesOf(trace).length > 0)
    const sampled = app.lines.filter((l) => traces.has(l.trace_id))
    expect(sampled.map((l) => l.msg)).toEqual(Array.from({ length: 20 }, (_, i) => `order o-${i} served`))
  })

  it('logs a thrown route error in its trace, with the dropped debug line first', async () => {
    const trace = 0xe770
    const res = await order('bad', trace)
    expect(res.status).toBe(500)
    await until(async () => linesOf(trace).some((l) => l.msg === 'unhandled error'))
    const mine = linesOf(trace)
    expect(mine.map((l) => l.msg)).toEqual(['looking up order bad', 'unhandled error'])
    expect(mine[0]?.backfilled).toBe(true)
    expect(mine[1]).toMatchObject({
      level: 50,
      err: { message: 'order store rejected id "bad"' },
      method: 'GET',
      routePath: '/api/orders',
      routeType: 'route',
    })
  })

  it("logs a server component's error in the request's trace", async () => {
    const trace = 0x9a6e
    const res = await fetch(`${app.url}/broken`, {
      headers: { traceparent: `00-${traceOf(trace)}-00f067aa0ba902b7-01` },
    })
    expect(res.status).toBe(500)
    await until(async () => linesOf(trace).length > 0)
    expect(linesOf(trace)[0]).toMatchObject({
      msg: 'unhandled error',
      err: { message: 'inventory service timed out' },
      routePath: '/broken',
      routeType: 'render',
    })
  })

  it('keeps one sieve per process: one policy stream, though instrumentation and routes each load log.ts', async () => {
    const metrics = await (await fetch(`${server.url}/metrics`)).text()
    expect(metrics).toMatch(/^logsieve_sse_subscribers 1$/m)
  })

  it('an edge route that uses the SDK fails with an error naming Logsieve and the fix (before: the build failed on zlib)', async () => {
    expect((await fetch(`${app.url}/api/edge?sieve`)).status).toBe(500)
    await until(async () => app.stderr().includes('LOGSIEVE_EDGE'))
    expect(app.stderr()).toContain(
      "@logsieve/node runs in the Node.js runtime, not the edge runtime. Add `export const runtime = 'nodejs'`",
    )
  })

  it('delivers the last stats window on SIGTERM: the server counts every request', async () => {
    // The order route's error, and the edge route's: Next.js reports that one in the Node.js runtime too.
    const errorLines = app.lines.filter((l) => l.msg === 'unhandled error')
    const orderErrors = errorLines.filter((l) => l.routePath === '/api/orders').length
    expect(orderErrors).toBe(1)
    app.child.kill('SIGTERM')
    expect(await app.exited).toBe(143)
    await admin('GET', '/v1/services')
    const { patterns } = (await admin('GET', `/v1/patterns?service=${SERVICE}&environment=production`)) as {
      patterns: Array<{ template: string; level: string; last24h: { seen: number; kept: number } }>
    }
    const count = (template: string) => patterns.find((p) => p.template === template)?.last24h
    expect(count('order %s served')).toMatchObject({
      seen: requests - orderErrors,
      kept: requests - orderErrors,
    })
    expect(count('looking up order %s')?.seen).toBe(requests)
    expect(count('unhandled error')).toMatchObject({ seen: errorLines.length, kept: errorLines.length })
  })

  it('says so on stderr when NEXT_MANUAL_SIG_HANDLE is not set (Next.js exits before the last window)', async () => {
    const plain = await startApp(nextBin, { LOGSIEVE_URL: server.url, LOGSIEVE_KEY: key, TMPDIR: dir })
    try {
      expect((await fetch(`${plain.url}/api/orders?id=o-1`)).status).toBe(200)
      plain.child.kill('SIGTERM')
      expect(await plain.exited).toBe(143)
      expect(plain.stderr()).toContain(
        'LOGSIEVE_NEXT_SIGNAL: Next.js exits on SIGTERM before Logsieve sends the last stats window; set NEXT_MANUAL_SIG_HANDLE=true',
      )
    } finally {
      if (plain.child.exitCode === null) plain.child.kill('SIGKILL')
    }
  })
})
