// Against the real policy server over real HTTP, with a temp SQLite file.
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { type RunningServer, startServer } from '@logsieve/server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSieve, type Diagnostic, integrationOf, type Sieve } from '../src/index.js'

const ADMIN = 'admin-test-key-0123456789'
let dir: string
let server: RunningServer
let ingestKey: string
const sieves: Sieve[] = []

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'logsieve-node-server-'))
  server = await startServer({
    port: 0,
    host: '127.0.0.1',
    dbPath: join(dir, 'db.sqlite'),
    adminKey: ADMIN,
    generationIntervalMs: 0,
  })
  ingestKey = await server.createKey('ingest', ['checkout'])
})
afterAll(async () => {
  await Promise.all(sieves.map((s) => s.shutdown()))
  await server?.close()
  await rm(dir, { recursive: true, force: true })
})

async function putPolicy(levels: Record<string, number>): Promise<number> {
  const res = await fetch(`${server.url}/v1/policies/checkout?environment=test`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ refreshSeconds: 1, defaults: { levels, newPattern: { rate: 1 } } }),
  })
  const body = (await res.json()) as { policy: { version: number } }
  expect(res.status).toBe(201)
  return body.policy.version
}

async function until(check: () => boolean, ms = 8000): Promise<void> {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not reached')
    await new Promise((r) => setTimeout(r, 20))
  }
}

function make(extra?: object): Sieve {
  const sieve = createSieve({
    service: 'checkout',
    environment: 'test',
    server: { url: server.url, apiKey: ingestKey },
    cacheDir: join(dir, 'cache'),
    statsIntervalMs: 60_000,
    timeoutMs: 2000,
    ...extra,
  })
  sieves.push(sieve)
  return sieve
}

function keptOf(sieve: Sieve, n: number, level = 'info'): number {
  let kept = 0
  for (let i = 0; i < n; i++) {
    const traceId = createHash('md5').update(`trace-${i}`).digest('hex')
    if (integrationOf(sieve).decide(level, 'cart %s updated', true, traceId).keep) kept++
  }
  return kept
}

describe('with the real policy server', () => {
  it('follows policy changes (ETag polling): kept volume changes, errors stay at 100%', async () => {
    const v1 = await putPolicy({ info: 1 })
    const sieve = make()
    await until(() => sieve.policy.version === v1)
    expect(keptOf(sieve, 1000)).toBe(1000)
    const v2 = await putPolicy({ info: 0.125 })
    await until(() => sieve.policy.version === v2)
    const kept = keptOf(sieve, 1000)
    expect(kept).toBeGreaterThan(60)
    expect(kept).toBeLessThan(200)
    expect(keptOf(sieve, 500, 'error')).toBe(500)
  })

  it('follows the SSE stream', async () => {
    const sieve = make({ follow: 'sse' })
    const current = await putPolicy({ info: 0.5 })
    await until(() => sieve.policy.version === current)
    const next = await putPolicy({ info: 0.25, debug: 0 })
    await until(() => sieve.policy.version === next, 3000)
    expect(sieve.policy.defaults.levels.info).toBe(0.25)
  })

  it('sends gzip stats the server accepts, and starts from the disk cache when the server is gone', async () => {
    const sent: unknown[] = []
    const diagnostics: Diagnostic[] = []
    const version = await putPolicy({ info: 0.5 })
    const sieve = make({
      onStatsSent: (b: unknown) => sent.push(b),
      onDiagnostic: (d: Diagnostic) => diagnostics.push(d),
    })
    await until(() => sieve.policy.version === version)
    keptOf(sieve, 300)
    await sieve.flush()
    expect(diagnostics).toEqual([])
    expect(sent).toHaveLength(1)
    await server.flush()
    const res = await fetch(`${server.url}/v1/patterns?service=checkout&environment=test`, {
      headers: { authorization: `Bearer ${ADMIN}` },
    })
    expect(await res.text()).toContain('cart %s updated')

    // A new process-like sieve pointed at a dead address starts with the cached policy.
    const offline = createSieve({
      service: 'checkout',
      environment: 'test',
      server: { url: 'http://127.0.0.1:9', apiKey: ingestKey },
      cacheDir: join(dir, 'cache'),
      timeoutMs: 200,
      onDiagnostic: () => {},
    })
    sieves.push(offline)
    await until(() => offline.policy.version === version)
  })

  it('keeps sampling with the last policy when the server dies mid-run', async () => {
    const own = await startServer({
      port: 0,
      host: '127.0.0.1',
      dbPath: join(dir, 'dying.sqlite'),
      adminKey: ADMIN,
      generationIntervalMs: 0,
    })
    const key = await own.createKey('ingest', ['checkout'])
    await fetch(`${own.url}/v1/policies/checkout?environment=test`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ refreshSeconds: 1, defaults: { levels: { info: 0 } } }),
    })
    const diagnostics: Diagnostic[] = []
    const sieve = make({
      server: { url: own.url, apiKey: key },
      cacheDir: false,
      onDiagnostic: (d: Diagnostic) => diagnostics.push(d),
    })
    await until(() => sieve.policy.version >= 1)
    const version = sieve.policy.version
    await own.close()
    expect(keptOf(sieve, 200)).toBe(0)
    expect(keptOf(sieve, 50, 'error')).toBe(50)
    await sieve.flush()
    // Polls fail in the background (refreshSeconds: 1); the policy in memory stays.
    await until(() => diagnostics.some((d) => d.code === 'LOGSIEVE_POLICY_FETCH'), 5000)
    expect(diagnostics.some((d) => d.code === 'LOGSIEVE_STATS')).toBe(true)
    expect(sieve.policy.version).toBe(version)
    expect(
      integrationOf(sieve)
        .sampler.stats.snapshot()
        .rows.reduce((n, r) => n + r.seen, 0),
    ).toBe(250)
  })

  it('sends a new instance’s first stats within seconds and picks up the policy generated from them at once', async () => {
    const own = await startServer({
      port: 0,
      host: '127.0.0.1',
      dbPath: join(dir, 'first.sqlite'),
      adminKey: ADMIN,
      generationIntervalMs: 0,
    })
    try {
      const key = await own.createKey('ingest', ['fresh'])
      const started = performance.now()
      let statsAt = 0
      // Default stats interval (30 s) and polling (refreshSeconds 30): only the first-window rules apply.
      const sieve = createSieve({
        service: 'fresh',
        environment: 'test',
        server: { url: own.url, apiKey: key },
        cacheDir: false,
        onStatsSent: () => {
          statsAt ||= performance.now() - started
        },
      })
      sieves.push(sieve)
      for (let i = 0; i < 500; i++) integrationOf(sieve).decide('info', 'cart %s updated', true)
      await until(() => statsAt > 0, 5000)
      expect(statsAt).toBeLessThan(3000)
      // What the server does on a service's first stats: generate its first policy.
      await own.flush()
      const res = await fetch(`${own.url}/v1/policies/fresh/generate?environment=test`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN}` },
      })
      expect(res.status).toBeLessThan(300)
      const generatedAt = performance.now() - started
      await until(() => sieve.policy.version >= 1, 5000)
      // Early polls after the first stats: in force within ~2 s of generation, not at the 30 s refresh.
      expect(performance.now() - started - generatedAt).toBeLessThan(2500)
      expect(sieve.policy.source).toBe('generated')
    } finally {
      await own.close()
    }
  })

  it('two processes with the same trace ids keep the same requests', async () => {
    const version = await putPolicy({ info: 0.25 })
    const run = promisify(execFile)
    const script = join(import.meta.dirname, 'two-process-child.ts')
    const args = ['--import', 'tsx', script, server.url, ingestKey, String(version)]
    const [a, b] = await Promise.all([run(process.execPath, args), run(process.execPath, args)])
    const ra = JSON.parse(a.stdout) as { version: number; kept: string[] }
    const rb = JSON.parse(b.stdout) as { version: number; kept: string[] }
    expect(ra.version).toBe(version)
    expect(rb.version).toBe(version)
    expect(ra.kept.length).toBeGreaterThan(40)
    expect(ra.kept.length).toBeLessThan(170)
    expect(ra.kept).toEqual(rb.kept)
  }, 30_000)
})
