import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { batch, startTestServer, type TestServer } from './helpers.js'

describe('stats ingest and policy reads', () => {
  let t: TestServer
  let ingest: string
  beforeAll(async () => {
    t = await startTestServer()
    ingest = await t.server.createKey('ingest', ['checkout'])
  })
  afterAll(() => t.close())

  it('accepts a stats batch with an ingest key', async () => {
    const res = await t.call('/v1/stats', { body: batch('checkout', [[1, 'info', 100, 200]]), key: ingest })
    expect(res.status).toBe(202)
    expect(await res.json()).toEqual({ accepted: 1 })
  })

  it('serves the default policy (version 0) with an ETag and answers 304 to If-None-Match', async () => {
    const res = await t.call('/v1/policies/checkout?environment=prod', { key: ingest })
    expect(res.status).toBe(200)
    const policy = await res.json()
    expect(policy).toMatchObject({ service: 'checkout', environment: 'prod', version: 0 })
    const etag = res.headers.get('etag')!
    expect(etag).toMatch(/^"0-/)
    const again = await t.call('/v1/policies/checkout?environment=prod', {
      key: ingest,
      headers: { 'if-none-match': etag },
    })
    expect(again.status).toBe(304)
    expect(again.headers.get('etag')).toBe(etag)
    const weak = await t.call('/v1/policies/checkout?environment=prod', {
      key: ingest,
      headers: { 'if-none-match': `W/${etag}` },
    })
    expect(weak.status).toBe(304)
  })
})
