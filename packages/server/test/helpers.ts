// Test helpers: a real server on an ephemeral port with a real SQLite file in a temp dir, or, with
// LOGSIEVE_TEST_ENGINE=postgres (postgres-http.test.ts), a fresh PostgreSQL database dropped on close.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { StatsBatchInput } from '@logsieve/core'
import { type RunningServer, type ServerOptions, startServer } from '../src/index.js'
import { createTestDatabase } from './pg.js'

export const ADMIN_KEY = 'test-admin-key-0123456789'

export interface TestServer {
  server: RunningServer
  dir: string
  url: string
  /** fetch with a key (admin by default); JSON bodies are serialized. */
  call(
    path: string,
    init?: { method?: string; body?: unknown; key?: string | null; headers?: Record<string, string> },
  ): Promise<Response>
  close(): Promise<void>
}

export async function startTestServer(options: ServerOptions = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'logsieve-server-'))
  const pg = process.env.LOGSIEVE_TEST_ENGINE === 'postgres' ? await createTestDatabase() : undefined
  const server = await startServer({
    port: 0,
    dbPath: pg?.url ?? join(dir, 'logsieve.db'),
    adminKey: ADMIN_KEY,
    generationIntervalMs: 0,
    rateLimit: false,
    ...options,
  })
  return {
    server,
    dir,
    url: server.url,
    call(path, init = {}) {
      const headers: Record<string, string> = { ...init.headers }
      const key = init.key === undefined ? ADMIN_KEY : init.key
      if (key) headers.authorization = `Bearer ${key}`
      let body: string | undefined
      if (init.body !== undefined) {
        body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body)
        headers['content-type'] ??= 'application/json'
      }
      return fetch(server.url + path, { method: init.method ?? (body ? 'POST' : 'GET'), headers, body })
    },
    async close() {
      await server.close()
      rmSync(dir, { recursive: true, force: true })
      await pg?.drop()
    },
  }
}

/** 16-hex signature for pattern number `i`. */
export const sig = (i: number): string => i.toString(16).padStart(16, '0')

/** A stats batch: `patterns` as [signature index, level, seen, bytesPerEvent]. */
export function batch(
  service: string,
  patterns: Array<[number, StatsBatchInput['patterns'][number]['level'], number, number]>,
  opts: { instance?: string; environment?: string; end?: number; seconds?: number; firstSeen?: number } = {},
): StatsBatchInput {
  const end = opts.end ?? Date.now()
  const start = end - (opts.seconds ?? 60) * 1000
  const firstSeen = new Date(opts.firstSeen ?? end - 86_400_000).toISOString()
  return {
    sdk: { name: 'test', version: '0.0.0' },
    service,
    environment: opts.environment ?? 'prod',
    instance: opts.instance ?? 'host-1',
    window: { start: new Date(start).toISOString(), end: new Date(end).toISOString() },
    patterns: patterns.map(([i, level, seen, size]) => ({
      signature: sig(i),
      level,
      template: `pattern ${i} <*>`,
      seen,
      kept: seen,
      bytes: seen * size,
      keptBytes: seen * size,
      firstSeen,
    })),
  }
}

/** Reads SSE blocks (separated by a blank line) from a streaming response. */
export function sseReader(res: Response) {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader()
  let buffer = ''
  const state = {
    /** Heartbeat comments skipped so far. */
    heartbeats: 0,
    async next(): Promise<Map<string, string>> {
      for (;;) {
        const end = buffer.indexOf('\n\n')
        if (end >= 0) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          if (block.startsWith(':')) {
            state.heartbeats++
            continue
          }
          return new Map(
            block.split('\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]),
          )
        }
        const { value, done } = await reader.read()
        if (done) throw new Error('stream ended')
        buffer += value
      }
    },
    cancel: () => reader.cancel(),
  }
  return state
}
