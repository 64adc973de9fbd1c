// The dashboard over plain HTTP (the browser walk-through is test/dashboard.test.ts): sessions and their
// cookie, CSRF, the viewer scope, escaping, the time-series endpoint, and the migration that adds them.
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MIGRATIONS } from '../src/store/migrations.js'
import { SqliteStore } from '../src/store/sqlite.js'
import { ADMIN_KEY, batch, startTestServer, type TestServer } from './helpers.js'
import { login, page } from './ui-login.js'

const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1]!

describe('dashboard over HTTP', () => {
  let t: TestServer
  beforeAll(async () => {
    t = await startTestServer()
    const ingest = await t.server.createKey('ingest', ['web'])
    const stats = batch('web', [
      [1, 'info', 100, 80],
      [2, 'error', 3, 120],
    ])
    stats.patterns[0]!.template = '<img src=x onerror=alert(1)> user <*>'
    stats.patterns[0]!.example = '<script>alert("example")</script>'
    expect((await t.call('/v1/stats', { body: stats, key: ingest })).status).toBe(202)
  })
  afterAll(() => t.close())

  it('redirects to the login page without a session, and serves pages under a strict CSP', async () => {
    const res = await fetch(`${t.url}/ui/`, { redirect: 'manual' })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/ui/login')
    const login = await fetch(`${t.url}/ui/login`)
    const csp = login.headers.get('content-security-policy')!
    expect(csp).toContain("script-src 'self'")
    expect(csp).not.toContain('unsafe')
    expect(login.headers.get('x-frame-options')).toBe('DENY')
  })

  it('sets an HttpOnly SameSite=Strict session cookie with an expiry, Secure behind HTTPS', async () => {
    const plain = await login(t, ADMIN_KEY)
    expect(plain.res.status).toBe(303)
    expect(plain.setCookie).toMatch(/HttpOnly/)
    expect(plain.setCookie).toMatch(/SameSite=Strict/)
    expect(plain.setCookie).toMatch(/Max-Age=\d+/)
    expect(plain.setCookie).not.toMatch(/Secure/)
    expect(plain.setCookie).not.toContain(ADMIN_KEY)
    expect(plain.res.headers.get('location')).toBe('/ui/')

    const proxied = await startTestServer({ trustProxy: true })
    try {
      const secure = await login(proxied, ADMIN_KEY, { 'x-forwarded-proto': 'https' })
      expect(secure.setCookie).toMatch(/Secure/)
    } finally {
      await proxied.close()
    }
  })

  it('refuses a bad key and an ingest key at login', async () => {
    expect((await login(t, 'lsk_aaaaaaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbb')).res.status).toBe(401)
    const ingest = await t.server.createKey('ingest', null)
    const refused = await login(t, ingest)
    expect(refused.res.status).toBe(403)
    expect(refused.setCookie).toBeUndefined()
  })

  it('escapes what SDKs sent: templates and examples render as text', async () => {
    const { cookie } = await login(t, ADMIN_KEY)
    const { res, html } = await page(t, '/ui/services/web?environment=prod', cookie!)
    expect(res.status).toBe(200)
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; user &lt;*&gt;')
    expect(html).not.toContain('<img src=x')
    // The example is in the row's details, loaded when the row opens.
    const details = await page(
      t,
      '/ui/services/web/patterns/0000000000000001?environment=prod&level=info&part=more',
      cookie!,
    )
    expect(details.html).toContain('&lt;script&gt;alert(&quot;example&quot;)&lt;/script&gt;')
    expect(details.html).not.toMatch(/<script>alert/)
  })

  it('needs the session’s CSRF token on every write', async () => {
    const { cookie } = await login(t, ADMIN_KEY)
    const settings = '/ui/services/web/settings?environment=prod'
    const { html } = await page(t, settings, cookie!)
    const post = (body: Record<string, string>) =>
      fetch(t.url + settings, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: cookie!, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(body),
      })
    expect((await post({ costPerGB: '2' })).status).toBe(403)
    expect((await post({ costPerGB: '2', _csrf: 'x'.repeat(43) })).status).toBe(403)
    expect((await (await t.call('/v1/services/web/settings')).json()).costPerGB).toBe(0.5)
    const ok = await post({ costPerGB: '2', floorPerMinute: '1', budgetKind: 'none', _csrf: csrfOf(html) })
    expect(ok.status).toBe(200)
    expect((await (await t.call('/v1/services/web/settings')).json()).costPerGB).toBe(2)
  })

  it('lets a viewer key read through the API and the UI but change nothing', async () => {
    const created = await t.call('/v1/keys', { body: { scope: 'viewer', name: 'auditor' } })
    expect(created.status).toBe(201)
    const viewer = (await created.json()).key as string
    expect((await t.call('/v1/services', { key: viewer })).status).toBe(200)
    expect((await t.call('/v1/patterns?service=web&environment=prod', { key: viewer })).status).toBe(200)
    expect((await t.call('/v1/keys', { key: viewer })).status).toBe(200)
    for (const [method, path, body] of [
      ['POST', '/v1/services/web/pins', { signature: '0000000000000001', rate: 0.5, reason: 'x' }],
      ['PUT', '/v1/services/web/settings', {}],
      ['POST', '/v1/policies/web/generate?environment=prod', undefined],
      ['POST', '/v1/keys', { scope: 'admin' }],
      ['POST', '/v1/stats', batch('web', [[1, 'info', 1, 1]])],
    ] as const) {
      const res = await t.call(path, { method, body, key: viewer })
      expect(res.status, `${method} ${path}`).toBe(403)
      expect((await res.json()).error.message).toContain('change nothing')
    }

    const { cookie } = await login(t, viewer)
    const { res, html } = await page(t, '/ui/services/web?environment=prod', cookie!)
    expect(res.status).toBe(200)
    const pin = await fetch(`${t.url}/ui/services/web/pins?environment=prod`, {
      method: 'POST',
      headers: { cookie: cookie!, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        _csrf: csrfOf(html),
        signature: '0000000000000001',
        level: 'info',
        rate: '0.5',
        reason: 'viewer',
        expires: '1h',
      }),
    })
    expect(pin.status).toBe(403)
    expect((await (await t.call('/v1/services/web/pins')).json()).pins).toEqual([])
  })

  it('ends sessions at logout and when their key is revoked', async () => {
    const created = await (await t.call('/v1/keys', { body: { scope: 'admin', name: 'temp' } })).json()
    const { cookie } = await login(t, created.key)
    const { html } = await page(t, '/ui/', cookie!)
    expect(html).toContain('temp')
    expect((await t.call(`/v1/keys/${created.id}`, { method: 'DELETE' })).status).toBe(200)
    expect((await page(t, '/ui/', cookie!)).res.status).toBe(303)

    const second = await login(t, ADMIN_KEY)
    const { html: home } = await page(t, '/ui/', second.cookie!)
    const out = await fetch(`${t.url}/ui/logout`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: second.cookie!, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrfOf(home) }),
    })
    expect(out.status).toBe(303)
    expect((await page(t, '/ui/', second.cookie!)).res.status).toBe(303)
  })

  it('answers the time series per minute and per hour, and names a bad resolution', async () => {
    await t.server.flush()
    const minute = await (await t.call('/v1/services/web/timeseries?environment=prod')).json()
    expect(minute.resolution).toBe('minute')
    expect(minute.points).toHaveLength(1)
    expect(minute.points[0]).toMatchObject({ seen: 103, kept: 103, bytes: 100 * 80 + 3 * 120 })
    expect(minute.points[0].plainBytes).toBe(minute.points[0].bytes)
    const hour = await (await t.call('/v1/services/web/timeseries?environment=prod&resolution=hour')).json()
    expect(hour.points[0].t % 3_600_000).toBe(0)
    expect(hour.points[0].seen).toBe(103)
    const bad = await t.call('/v1/services/web/timeseries?resolution=day')
    expect(bad.status).toBe(400)
    expect((await bad.json()).error.field).toBe('resolution')
    const spec = await (await t.call('/openapi.json', { key: null })).json()
    expect(spec.paths['/v1/services/{service}/timeseries'].get).toBeDefined()
  })
})

describe('migration 2', () => {
  it('keeps the keys of a version-1 database and accepts viewer keys after it', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs')
    const { tmpdir } = await import('node:os')
    const dir = mkdtempSync(join(tmpdir(), 'logsieve-migrate-'))
    const path = join(dir, 'old.db')
    const db = new Database(path)
    db.exec(MIGRATIONS[0]!)
    db.pragma('user_version = 1')
    db.prepare(
      `INSERT INTO api_keys (id, name, scope, services, hash, created_at) VALUES ('abc', 'old', 'ingest', NULL, 'h', 1)`,
    ).run()
    db.close()
    const store = new SqliteStore(path)
    try {
      expect(await store.getKey('abc')).toMatchObject({ name: 'old', scope: 'ingest' })
      await store.insertKey({
        id: 'def',
        name: 'v',
        scope: 'viewer',
        services: null,
        hash: 'h',
        createdAt: 2,
        revokedAt: null,
      })
      expect((await store.listKeys()).map((k) => k.scope)).toEqual(['ingest', 'viewer'])
    } finally {
      store.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
