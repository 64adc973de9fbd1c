// The real policy server an example app runs against: a real port, SQLite in a temporary folder (which
// the app may use as its TMPDIR too), an ingest key for one service, and policies set as an admin does.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type RunningServer, startServer } from '@logsieve/server'

const ADMIN = 'admin-next-example-0123456789'

export interface PolicyServer {
  server: RunningServer
  /** The temporary folder, removed by close(). */
  dir: string
  /** An ingest key for the service. */
  key: string
  /** Set the service's policy for an environment: a rate per level, new patterns kept. */
  putPolicy(environment: string, levels: Record<string, number>): Promise<void>
  close(): Promise<void>
}

export async function startPolicyServer(service: string): Promise<PolicyServer> {
  const dir = await mkdtemp(join(tmpdir(), 'logsieve-next-'))
  const server = await startServer({
    port: 0,
    host: '127.0.0.1',
    dbPath: join(dir, 'db.sqlite'),
    adminKey: ADMIN,
    generationIntervalMs: 0,
  })
  return {
    server,
    dir,
    key: await server.createKey('ingest', [service]),
    async putPolicy(environment, levels) {
      const res = await fetch(`${server.url}/v1/policies/${service}?environment=${environment}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ refreshSeconds: 1, defaults: { levels, newPattern: { rate: 1 } } }),
      })
      if (!res.ok) throw new Error(`PUT policy answered ${res.status}: ${await res.text()}`)
    },
    async close() {
      await server.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
}
