// nextSieve against the real policy server: Next.js evaluates the app's logger module once per bundle
// layer and again on every edit under `next dev`; the process must keep one sieve (one policy stream),
// and `next build` must reach no server. SIGTERM is checked in the Next.js app test (examples/nextjs).
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type RunningServer, startServer } from '@logsieve/server'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import type { SieveOptions } from '../types.js'
import { nextSieve } from './process-sieve.js'
import { nextState } from './state.js'

const ADMIN = 'admin-next-sieve-0123456789'
let dir: string
let server: RunningServer
let options: SieveOptions
const logger = () => ({ error() {} })
const state = nextState()

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'logsieve-next-sieve-'))
  server = await startServer({ port: 0, host: '127.0.0.1', dbPath: join(dir, 'db.sqlite'), adminKey: ADMIN })
  const apiKey = await server.createKey('ingest', ['shop'])
  options = { service: 'shop', server: { url: server.url, apiKey }, follow: 'sse', cacheDir: false }
  // Signals belong to the process under test, not to the test runner's worker.
  state.signalsHooked = true
})
afterEach(async () => {
  await state.current?.sieve.shutdown()
  state.current = undefined
})
afterAll(async () => {
  await server?.close()
  await rm(dir, { recursive: true, force: true })
})

const streams = async (): Promise<number> => {
  const text = await (await fetch(`${server.url}/metrics`)).text()
  return Number(/^logsieve_sse_subscribers (\d+)$/m.exec(text)?.[1] ?? 0)
}

it('reuses the sieve for the same options, and replaces it (shut down) when they change under next dev', async () => {
  const first = nextSieve(options, logger)
  await until(async () => (await streams()) === 1)
  // Another bundle layer's copy of the module: same options, same sieve, no second stream.
  const again = nextSieve({ ...options, server: { ...options.server! } }, logger)
  expect(again.sieve).toBe(first.sieve)
  // An edit of the module under next dev: new options, a new sieve; the old one stops polling.
  const edited = nextSieve({ ...options, statsIntervalMs: 45_000 }, logger)
  expect(edited.sieve).not.toBe(first.sieve)
  // Time for the new sieve's stream to open and the old one's to close.
  await new Promise((r) => setTimeout(r, 500))
  expect(await streams()).toBe(1)
})

it('makes no request during next build, and reaches the server once the app runs', async () => {
  const hits: string[] = []
  const recorder = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`)
    res.writeHead(503).end()
  })
  await new Promise<void>((resolve) => recorder.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(recorder.address() as AddressInfo).port}`
  const recorded = { ...options, server: { url }, follow: 'poll' as const, onDiagnostic: false as const }
  try {
    process.env.NEXT_PHASE = 'phase-production-build'
    nextSieve(recorded, logger)
    await new Promise((r) => setTimeout(r, 300))
    expect(hits).toEqual([])
    delete process.env.NEXT_PHASE
    nextSieve(recorded, logger)
    await until(async () => hits.length > 0)
  } finally {
    delete process.env.NEXT_PHASE
    recorder.close()
  }
})

async function until(check: () => Promise<boolean>, ms = 8000): Promise<void> {
  const end = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not reached')
    await new Promise((r) => setTimeout(r, 20))
  }
}
