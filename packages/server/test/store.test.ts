// The store is injected: a server runs on the Store it is given and closes it on close().
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { SqliteStore, startServer } from '../src/index.js'
import { ADMIN_KEY, batch } from './helpers.js'

describe('injected store', () => {
  it('serves from the given store, not one built from dbPath, and closes it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'logsieve-store-'))
    const store = new SqliteStore(join(dir, 'injected.db'))
    const server = await startServer({
      port: 0,
      store,
      dbPath: join(dir, 'unused', 'never.db'),
      adminKey: ADMIN_KEY,
      generationIntervalMs: 0,
      rateLimit: false,
    })
    try {
      expect(server.store).toBe(store)
      const key = await server.createKey('ingest', ['svc'])
      const res = await fetch(`${server.url}/v1/stats`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(batch('svc', [[1, 'info', 10, 100]])),
      })
      expect(res.status).toBe(202)
      await server.flush()
      expect((await store.listPatterns('svc', 'prod')).map((p) => p.signature)).toHaveLength(1)
    } finally {
      await server.close()
    }
    expect(store.db.open).toBe(false)
    expect(existsSync(join(dir, 'unused'))).toBe(false)
    rmSync(dir, { recursive: true, force: true })
  })
})
