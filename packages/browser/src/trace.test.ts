import { parseTraceparent } from '@logsieve/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { recorder } from '../test/http.js'
import { isAllowedOrigin, patchFetch } from './trace.js'
import { sessionTraceId } from './trace-id.js'

describe('isAllowedOrigin', () => {
  it('matches exact origins and regular expressions, nothing else', () => {
    const allowed = ['https://api.example.com', /^https:\/\/[a-z]+\.internal\.example$/]
    expect(isAllowedOrigin('https://api.example.com/v1/cart?x=1', allowed)).toBe(true)
    expect(isAllowedOrigin('https://svc.internal.example/a', allowed)).toBe(true)
    expect(isAllowedOrigin('https://api.example.com.evil.test/', allowed)).toBe(false)
    expect(isAllowedOrigin('http://api.example.com/', allowed)).toBe(false)
    expect(isAllowedOrigin('not a url', allowed)).toBe(false)
  })
})

describe('sessionTraceId', () => {
  it('gives a valid trace id even where sessionStorage does not exist', () => {
    expect(sessionTraceId('session')).toMatch(/^[0-9a-f]{32}$/)
    expect(sessionTraceId('page')).not.toBe(sessionTraceId('page'))
  })
})

describe('patchFetch', () => {
  let server: Awaited<ReturnType<typeof recorder>>
  let base = ''
  beforeAll(async () => {
    server = await recorder()
    base = server.url
  })
  afterAll(() => server.close())

  it('adds traceparent (new span per request) to allowed origins only, keeps caller headers, restores fetch', async () => {
    const original = globalThis.fetch
    const traceId = 'b'.repeat(32)
    const restore = patchFetch([base], () => traceId)
    try {
      await (await fetch(`${base}/a`, { headers: { 'x-app': '1' } })).text()
      await (await fetch(new Request(`${base}/b`))).text()
      await (
        await fetch(`${base}/c`, { headers: { traceparent: `00-${'c'.repeat(32)}-${'d'.repeat(16)}-01` } })
      ).text()
      const other = base.replace('127.0.0.1', 'localhost')
      await (await fetch(`${other}/d`)).text()
    } finally {
      restore()
    }
    expect(globalThis.fetch).toBe(original)
    const [a, b, c, d] = server.requests.slice(-4).map((r) => r.headers)
    const ta = parseTraceparent(a!.traceparent)
    const tb = parseTraceparent(b!.traceparent)
    expect(ta?.traceId).toBe(traceId)
    expect(tb?.traceId).toBe(traceId)
    expect(ta?.spanId).not.toBe(tb?.spanId)
    expect(a!['x-app']).toBe('1')
    expect(parseTraceparent(c!.traceparent)?.traceId).toBe('c'.repeat(32))
    expect(d!.traceparent).toBeUndefined()
  })
})
