// Issue 18, findings 8 and 9: process hygiene. The real bin exits on SIGTERM within its drain time while
// nothing reads its stdout; slow, silent and idle connections are closed on explicit timeouts, and
// connections past the cap are refused.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ADMIN_KEY, startTestServer } from './helpers.js'

const BIN = resolve(import.meta.dirname, '../src/bin.ts')
const dir = mkdtempSync(join(tmpdir(), 'logsieve-process-'))
const children: ChildProcess[] = []

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
  rmSync(dir, { recursive: true, force: true })
})

/** Resolves with the ms until the server closed the socket (or rejects after `within` ms). */
function closedWithin(socket: Socket, within: number): Promise<number> {
  const t0 = Date.now()
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`socket still open after ${within} ms`)), within)
    socket.on('data', () => {})
    socket.on('error', () => {})
    socket.once('close', () => {
      clearTimeout(timer)
      ok(Date.now() - t0)
    })
  })
}

const open = (port: number): Promise<Socket> =>
  new Promise((ok, fail) => {
    const s = connect(port, '127.0.0.1', () => ok(s))
    s.once('error', fail)
  })

describe('connection limits', () => {
  it('9: closes slow headers, slow bodies and idle keep-alive connections on their timeouts', async () => {
    const t = await startTestServer({ headersTimeoutMs: 400, requestTimeoutMs: 800, keepAliveTimeoutMs: 300 })
    try {
      const slowHeaders = await open(t.server.port)
      slowHeaders.write('GET /health HTTP/1.1\r\nHost: x\r\n')
      const slowBody = await open(t.server.port)
      slowBody.write(
        `POST /v1/stats HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${ADMIN_KEY}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"sdk":`,
      )
      const idle = await open(t.server.port)
      idle.write('GET /health HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n')
      const silent = await open(t.server.port)
      await Promise.all([
        closedWithin(slowHeaders, 3000),
        closedWithin(slowBody, 3000),
        closedWithin(idle, 3000),
        closedWithin(silent, 3000),
      ])
    } finally {
      await t.close()
    }
  })

  it('9: refuses connections past maxConnections', async () => {
    const t = await startTestServer({ maxConnections: 5 })
    try {
      const sockets = await Promise.all(Array.from({ length: 10 }, () => open(t.server.port)))
      const closed = await Promise.all(
        sockets.map((s) =>
          closedWithin(s, 1000).then(
            () => 1,
            () => 0,
          ),
        ),
      )
      expect(closed.reduce((a: number, b: number) => a + b, 0)).toBe(5)
      for (const s of sockets) s.destroy()
    } finally {
      await t.close()
    }
  })
})

describe('SIGTERM', () => {
  it('8: the bin exits within its drain time while nothing reads its stdout', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', BIN, '--port', '0', '--db', join(dir, 'sigterm.db'), '--drain-ms', '1000'],
      {
        cwd: resolve(import.meta.dirname, '..'),
        env: { ...process.env, LOGSIEVE_ADMIN_KEY: ADMIN_KEY, LOGSIEVE_RATE_LIMIT: '0' },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    )
    children.push(child)
    const url = await new Promise<string>((ok, fail) => {
      let out = ''
      const onData = (d: Buffer) => {
        out += d
        const m = /listening on (http:\/\/\S+)/.exec(out)
        if (!m) return
        // From here on nobody reads stdout: the pipe fills up.
        child.stdout!.off('data', onData)
        child.stdout!.pause()
        ok(m[1]!)
      }
      child.stdout!.on('data', onData)
      child.once('exit', (code) => fail(new Error(`exited (${code}) before listening`)))
    })
    // Each key creation logs a line: far more than a pipe holds.
    const admin = { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' }
    const name = 'k'.repeat(120)
    for (let i = 0; i < 60; i++) {
      await Promise.all(
        Array.from({ length: 20 }, () =>
          fetch(`${url}/v1/keys`, {
            method: 'POST',
            headers: admin,
            body: JSON.stringify({ scope: 'ingest', name }),
          }),
        ),
      )
    }
    const t0 = Date.now()
    child.kill('SIGTERM')
    const code = await new Promise<number | null>((ok) => child.once('exit', (c) => ok(c)))
    expect(Date.now() - t0).toBeLessThan(1000 + 2000 + 1000)
    expect(code).toBe(0)
  }, 60_000)
})
