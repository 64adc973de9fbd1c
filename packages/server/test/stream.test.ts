import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sig, sseReader, startTestServer, type TestServer } from './helpers.js'

describe('policy stream', () => {
  let t: TestServer
  beforeAll(async () => {
    t = await startTestServer()
  })
  afterAll(() => t.close())

  it('skips the current version when Last-Event-ID names it, then pushes each new one', async () => {
    const key = await t.server.createKey('ingest', ['web'])
    const res = await fetch(`${t.url}/v1/policies/web/stream`, {
      headers: { authorization: `Bearer ${key}`, 'last-event-id': '0' },
    })
    const sse = sseReader(res)
    const put = (rate: number) =>
      t.call('/v1/policies/web', {
        method: 'PUT',
        body: { rules: [{ signature: sig(1), rate, reason: 'manual' }] },
      })
    expect((await put(0.5)).status).toBe(201)
    const first = await sse.next()
    expect(first.get('event')).toBe('policy')
    expect(first.get('id')).toBe('1')
    expect(JSON.parse(first.get('data')!)).toMatchObject({ version: 1, rules: [{ rate: 0.5 }] })
    await put(0.25)
    expect((await sse.next()).get('id')).toBe('2')
    await sse.cancel()
  })

  it('refuses a stream of a service the key does not allow', async () => {
    const key = await t.server.createKey('ingest', ['web'])
    const res = await fetch(`${t.url}/v1/policies/admin-ui/stream?apiKey=${key}`)
    expect(res.status).toBe(403)
  })
})
