import { gzipSync } from 'node:zlib'
import { MAX_PATTERNS_PER_BATCH, MAX_TEMPLATE_LENGTH } from '@logsieve/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { batch, startTestServer, type TestServer } from './helpers.js'

describe('stats ingest', () => {
  let t: TestServer
  let ingest: string
  beforeAll(async () => {
    t = await startTestServer({ bodyLimitBytes: 64 * 1024, corsOrigins: ['https://shop.example'] })
    ingest = await t.server.createKey('ingest', ['checkout'])
  })
  afterAll(() => t.close())

  const post = (body: unknown, headers: Record<string, string> = {}, key: string | null = ingest) =>
    t.call('/v1/stats', { method: 'POST', body, key, headers })
  const errorOf = async (res: Response) =>
    ((await res.json()) as { error: { code: string; field?: string } }).error

  it('accepts a batch and aggregates it into the pattern store', async () => {
    const res = await post(
      batch('checkout', [
        [1, 'info', 100, 200],
        [2, 'error', 3, 500],
      ]),
    )
    expect(res.status).toBe(202)
    expect(await res.json()).toEqual({ accepted: 2 })
    // This SDK counts plain bytes (120 B a line without Logsieve's fields); the first one did not.
    const second = batch('checkout', [[1, 'info', 50, 200]], { instance: 'host-2' })
    second.patterns[0]!.plainBytes = 50 * 120
    await post(second)
    const patterns = await (await t.call('/v1/patterns?service=checkout&environment=prod')).json()
    const p1 = patterns.patterns.find((p: { signature: string }) => p.signature === '0000000000000001')
    expect(p1.last24h).toEqual({
      seen: 150,
      kept: 150,
      bytes: 30_000,
      keptBytes: 30_000,
      plainBytes: 100 * 200 + 50 * 120,
    })
    expect(p1.template).toBe('pattern 1 <*>')
  })

  it('serves the default policy (version 0) with an ETag and answers 304 to If-None-Match', async () => {
    const res = await t.call('/v1/policies/checkout?environment=prod', { key: ingest })
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ service: 'checkout', environment: 'prod', version: 0 })
    const etag = res.headers.get('etag')!
    expect(etag).toMatch(/^"0-/)
    const match = { key: ingest, headers: { 'if-none-match': etag } }
    const again = await t.call('/v1/policies/checkout?environment=prod', match)
    expect(again.status).toBe(304)
    expect(again.headers.get('etag')).toBe(etag)
    expect(await again.text()).toBe('')
    const weak = { key: ingest, headers: { 'if-none-match': `"other", W/${etag}` } }
    expect((await t.call('/v1/policies/checkout?environment=prod', weak)).status).toBe(304)
    const stale = { key: ingest, headers: { 'if-none-match': '"0-stale"' } }
    expect((await t.call('/v1/policies/checkout?environment=prod', stale)).status).toBe(200)
    // Another environment is another policy.
    expect((await t.call('/v1/policies/checkout?environment=staging', match)).status).toBe(200)
    // The 304 answered through Node directly still counts under its real status.
    const metrics = await (await t.call('/metrics', { key: null })).text()
    expect(metrics).toMatch(/logsieve_http_requests_total\{method="GET",status="304"\} 2\n/)
  })

  it('accepts a gzip body', async () => {
    const body = gzipSync(JSON.stringify(batch('checkout', [[3, 'debug', 10, 100]])))
    const res = await fetch(`${t.url}/v1/stats`, {
      method: 'POST',
      body,
      headers: {
        authorization: `Bearer ${ingest}`,
        'content-encoding': 'gzip',
        'content-type': 'application/json',
      },
    })
    expect(res.status).toBe(202)
  })

  it('refuses a gzip bomb with 413 and a body over the limit with 413', async () => {
    const bomb = gzipSync(Buffer.alloc(10 * 1024 * 1024, 0x20))
    expect(bomb.length).toBeLessThan(64 * 1024)
    const res = await fetch(`${t.url}/v1/stats`, {
      method: 'POST',
      body: bomb,
      headers: { authorization: `Bearer ${ingest}`, 'content-encoding': 'gzip' },
    })
    expect(res.status).toBe(413)
    expect((await errorOf(res)).code).toBe('LOGSIEVE_BODY_TOO_LARGE')
    const big = await post('x'.repeat(100 * 1024))
    expect(big.status).toBe(413)
    // Chunked, without a Content-Length: refused once the bytes pass the limit, and the server goes on.
    const chunk = new TextEncoder().encode('x'.repeat(16 * 1024))
    let sent = 0
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 8) controller.enqueue(chunk)
        else controller.close()
      },
    })
    const chunked = await fetch(`${t.url}/v1/stats`, {
      method: 'POST',
      body: stream,
      headers: { authorization: `Bearer ${ingest}`, 'content-type': 'application/json' },
      duplex: 'half',
    } as RequestInit)
    expect(chunked.status).toBe(413)
    expect((await fetch(`${t.url}/health`)).status).toBe(200)
  })

  it('rejects bad input with a 400 naming the field, and stores nothing of the batch', async () => {
    const good = batch('checkout', [[10, 'info', 5, 100]])
    const bad = { ...good, patterns: [...good.patterns, { ...good.patterns[0]!, signature: 'XYZ', seen: 1 }] }
    let res = await post(bad)
    expect(res.status).toBe(400)
    expect(await errorOf(res)).toMatchObject({
      code: 'LOGSIEVE_STATS_INVALID',
      field: 'patterns[1].signature',
    })
    const patterns = await (await t.call('/v1/patterns?service=checkout&environment=prod')).json()
    expect(patterns.patterns.some((p: { signature: string }) => p.signature === '000000000000000a')).toBe(
      false,
    )

    res = await post({ ...good, patterns: [{ ...good.patterns[0]!, seen: -1 }] })
    expect(await errorOf(res)).toMatchObject({ field: 'patterns[0].seen' })
    res = await post({
      ...good,
      patterns: [{ ...good.patterns[0]!, template: 't'.repeat(MAX_TEMPLATE_LENGTH + 1) }],
    })
    expect(await errorOf(res)).toMatchObject({ field: 'patterns[0].template' })
    res = await post({ ...good, service: undefined })
    expect(await errorOf(res)).toMatchObject({ field: 'service' })
    res = await post({ ...good, window: { start: good.window.end, end: good.window.start } })
    expect(await errorOf(res)).toMatchObject({ field: 'window.end' })
    res = await post('{not json')
    expect(await errorOf(res)).toMatchObject({ code: 'LOGSIEVE_BODY_INVALID' })
    res = await post('x', { 'content-encoding': 'br' })
    expect(res.status).toBe(415)
  })

  it('limits patterns per batch', async () => {
    const many = batch('checkout', [[1, 'info', 1, 10]])
    const row = many.patterns[0]!
    const huge = { ...many, patterns: Array.from({ length: MAX_PATTERNS_PER_BATCH + 1 }, () => row) }
    const t2 = await startTestServer()
    try {
      const res = await t2.call('/v1/stats', { body: huge })
      expect(res.status).toBe(400)
      expect((await errorOf(res)).field).toBe('patterns')
    } finally {
      await t2.close()
    }
  })

  it('ignores unknown fields', async () => {
    const b = batch('checkout', [[4, 'info', 1, 10]])
    const res = await post({ ...b, extra: true, patterns: [{ ...b.patterns[0]!, colour: 'blue' }] })
    expect(res.status).toBe(202)
  })

  it('answers 401 without a key or with an unknown key, 403 for another service', async () => {
    let res = await post(batch('checkout', [[1, 'info', 1, 1]]), {}, null)
    expect(res.status).toBe(401)
    expect((await errorOf(res)).code).toBe('LOGSIEVE_UNAUTHORIZED')
    res = await post(batch('checkout', [[1, 'info', 1, 1]]), {}, 'lsk_000000000000_nope-nope-nope-nope-nope')
    expect(res.status).toBe(401)
    res = await post(batch('payments', [[1, 'info', 1, 1]]))
    expect(res.status).toBe(403)
    expect(await errorOf(res)).toMatchObject({ code: 'LOGSIEVE_FORBIDDEN', field: 'service' })
  })

  it('takes the key from ?apiKey= for sendBeacon, which cannot set headers', async () => {
    const res = await fetch(`${t.url}/v1/stats?apiKey=${ingest}`, {
      method: 'POST',
      body: JSON.stringify(batch('checkout', [[5, 'info', 1, 10]])),
      headers: { 'content-type': 'text/plain' },
    })
    expect(res.status).toBe(202)
  })

  it('answers CORS preflights for allowed origins and exposes the ETag', async () => {
    const res = await fetch(`${t.url}/v1/stats`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://shop.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    })
    expect(res.status).toBe(204)
    expect(res.headers.get('access-control-allow-origin')).toBe('https://shop.example')
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization')
    const get = await t.call('/v1/policies/checkout', {
      key: ingest,
      headers: { origin: 'https://shop.example' },
    })
    expect(get.headers.get('access-control-expose-headers')?.toLowerCase()).toContain('etag')
    const other = await t.call('/v1/policies/checkout', {
      key: ingest,
      headers: { origin: 'https://evil.example' },
    })
    expect(other.headers.get('access-control-allow-origin')).toBeNull()
  })
})

describe('rate limiting', () => {
  it('answers 429 with Retry-After once a key exceeds its budget', async () => {
    const t = await startTestServer({ rateLimit: { perSecond: 1, burst: 3 } })
    try {
      const key = await t.server.createKey('ingest', null)
      const statuses: number[] = []
      for (let i = 0; i < 5; i++) statuses.push((await t.call('/v1/policies/a', { key })).status)
      expect(statuses.slice(0, 3)).toEqual([200, 200, 200])
      expect(statuses.slice(3)).toContain(429)
      const res = await t.call('/v1/policies/a', { key })
      expect(res.headers.get('retry-after')).toBe('1')
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('LOGSIEVE_RATE_LIMITED')
    } finally {
      await t.close()
    }
  })

  it('limits a shared browser key per client address, or per key when asked', async () => {
    const statuses = async (t: TestServer, key: string, client: string, n: number) => {
      const out: number[] = []
      for (let i = 0; i < n; i++) {
        const headers = { 'x-forwarded-for': `${client}, 10.0.0.1` }
        out.push((await t.call('/v1/policies/a', { key, headers })).status)
      }
      return out
    }
    const perClient = await startTestServer({ rateLimit: { perSecond: 0.01, burst: 2 }, trustProxy: true })
    const perKey = await startTestServer({ rateLimit: { perSecond: 0.01, burst: 2, per: 'key' } })
    try {
      const key = await perClient.server.createKey('ingest', null)
      expect(await statuses(perClient, key, '198.51.100.7', 3)).toEqual([200, 200, 429])
      // Another tab, another address: its own bucket.
      expect(await statuses(perClient, key, '203.0.113.9', 2)).toEqual([200, 200])
      const shared = await perKey.server.createKey('ingest', null)
      expect(await statuses(perKey, shared, '198.51.100.7', 2)).toEqual([200, 200])
      expect(await statuses(perKey, shared, '203.0.113.9', 1)).toEqual([429])
    } finally {
      await perClient.close()
      await perKey.close()
    }
  })
})
