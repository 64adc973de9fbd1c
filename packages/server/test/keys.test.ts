import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServer } from '../src/index.js'
import { batch, startTestServer, type TestServer } from './helpers.js'

describe('API keys and scopes', () => {
  let t: TestServer
  beforeAll(async () => {
    t = await startTestServer()
  })
  afterAll(() => t.close())

  it('creates ingest keys limited to services, lists them without secrets, revokes them', async () => {
    const res = await t.call('/v1/keys', { body: { scope: 'ingest', name: 'web', services: ['shop'] } })
    expect(res.status).toBe(201)
    const created = await res.json()
    expect(created).toMatchObject({ scope: 'ingest', name: 'web', services: ['shop'], revokedAt: null })
    expect(created.key).toMatch(/^lsk_[a-z0-9]{12}_/)

    expect((await t.call('/v1/policies/shop', { key: created.key })).status).toBe(200)
    expect(
      (await t.call('/v1/stats', { body: batch('shop', [[1, 'info', 1, 1]]), key: created.key })).status,
    ).toBe(202)
    expect((await t.call('/v1/policies/other', { key: created.key })).status).toBe(403)

    const list = await (await t.call('/v1/keys')).json()
    const listed = list.keys.find((k: { id: string }) => k.id === created.id)
    expect(listed).toMatchObject({ name: 'web', scope: 'ingest' })
    // The whole secret after `lsk_<id>_` (it may itself start with or contain `_`: base64url).
    const secret = created.key.slice(`lsk_${created.id}_`.length)
    expect(secret.length).toBeGreaterThan(20)
    expect(JSON.stringify(list)).not.toContain(secret)

    expect((await t.call(`/v1/keys/${created.id}`, { method: 'DELETE' })).status).toBe(200)
    expect((await t.call('/v1/policies/shop', { key: created.key })).status).toBe(401)
    expect((await t.call(`/v1/keys/${created.id}`, { method: 'DELETE' })).status).toBe(404)
  })

  it('refuses every admin route to an ingest key with 403', async () => {
    const key = await t.server.createKey('ingest', null)
    const routes: Array<[string, string]> = [
      ['GET', '/v1/keys'],
      ['POST', '/v1/keys'],
      ['GET', '/v1/services'],
      ['GET', '/v1/patterns?service=shop'],
      ['GET', '/v1/services/shop/settings'],
      ['PUT', '/v1/services/shop/settings'],
      ['GET', '/v1/services/shop/pins'],
      ['POST', '/v1/policies/shop/generate'],
      ['PUT', '/v1/policies/shop'],
      ['GET', '/v1/policies/shop/history'],
      ['GET', '/v1/policies/shop/diff'],
      ['POST', '/v1/policies/shop/rollback/1'],
    ]
    for (const [method, path] of routes) {
      const res = await t.call(path, { method, key, body: method === 'GET' ? undefined : {} })
      expect([method, path, res.status]).toEqual([method, path, 403])
    }
  })

  it('validates key creation with the field named', async () => {
    const res = await t.call('/v1/keys', { body: { scope: 'root' } })
    expect(res.status).toBe(400)
    expect((await res.json()).error).toMatchObject({ code: 'LOGSIEVE_KEY_INVALID', field: 'scope' })
  })

  it('accepts an admin key created through the API', async () => {
    const { key } = await (await t.call('/v1/keys', { body: { scope: 'admin', name: 'ci' } })).json()
    expect((await t.call('/v1/services', { key })).status).toBe(200)
  })
})

describe('first start', () => {
  it('creates an admin key once when none is configured, and not again on restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'logsieve-first-'))
    try {
      const dbPath = join(dir, 'db', 'logsieve.db')
      const first = await startServer({ port: 0, dbPath })
      const key = first.createdAdminKey!
      expect(key).toMatch(/^lsk_/)
      const res = await fetch(`${first.url}/v1/keys`, { headers: { authorization: `Bearer ${key}` } })
      expect(res.status).toBe(200)
      await first.close()
      const second = await startServer({ port: 0, dbPath })
      expect(second.createdAdminKey).toBeUndefined()
      const again = await fetch(`${second.url}/v1/keys`, { headers: { authorization: `Bearer ${key}` } })
      expect(again.status).toBe(200)
      await second.close()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
