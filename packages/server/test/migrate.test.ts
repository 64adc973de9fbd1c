// `logsieve-server migrate --from file.db --to postgres://…`, the real bin: a SQLite server's data
// (keys, stats, patterns, versions, settings, pins) serves the same from PostgreSQL afterwards.
import { spawn } from 'node:child_process'
import { join, resolve } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { titled } from '../../../test/support/requirement.js'
import { startServer } from '../src/index.js'
import { ADMIN_KEY, batch, sig, startTestServer } from './helpers.js'
import { createTestDatabase, pgSkipReason, type TestDatabase } from './pg.js'

const skip = await pgSkipReason()

function runMigrate(args: string[]): Promise<{ code: number | null; out: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', resolve(import.meta.dirname, '../src/bin.ts'), 'migrate', ...args],
    {
      cwd: resolve(import.meta.dirname, '..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let out = ''
  child.stdout.on('data', (d: Buffer) => {
    out += d
  })
  child.stderr.on('data', (d: Buffer) => {
    out += d
  })
  return new Promise((ok) => child.once('exit', (code) => ok({ code, out })))
}

describe.skipIf(skip)(titled('migrate from SQLite to PostgreSQL', skip), () => {
  let db: TestDatabase | undefined
  afterEach(async () => {
    await db?.drop()
  })

  it('copies every table, then serves the same policies, keys, stats and pins and numbers on', async () => {
    delete process.env.LOGSIEVE_TEST_ENGINE
    const sqlite = await startTestServer()
    const ingest = await sqlite.server.createKey('ingest', ['shop'])
    await sqlite.call('/v1/stats', {
      body: batch('shop', [
        [1, 'info', 40, 100],
        [2, 'warn', 5, 300],
      ]),
      key: ingest,
    })
    await sqlite.server.flush()
    for (const rate of [0.5, 0.25]) {
      const res = await sqlite.call('/v1/policies/shop?environment=prod', {
        method: 'PUT',
        body: { rules: [{ signature: sig(1), rate, reason: 'manual' }] },
      })
      expect(res.status).toBe(201)
    }
    await sqlite.call('/v1/services/shop/settings', {
      method: 'PUT',
      body: { budget: { bytesPerDay: 5000 } },
    })
    const pin = await (
      await sqlite.call('/v1/services/shop/pins', { body: { signature: sig(2), rate: 1, reason: 'debug' } })
    ).json()
    const forbid = { signatures: [sig(1), sig(2)] }
    const separation = await (
      await sqlite.call('/v1/services/shop/pattern-groups/forbid?environment=prod', { body: forbid })
    ).json()
    const before = await sqlite.call('/v1/policies/shop?environment=prod', { key: ingest })
    const etag = before.headers.get('etag')!
    const body = await before.text()
    const patterns = await (await sqlite.call('/v1/patterns?service=shop&environment=prod')).text()
    const dbFile = join(sqlite.dir, 'logsieve.db')
    await sqlite.server.close()

    db = await createTestDatabase()
    const run = await runMigrate(['--from', dbFile, '--to', db.url])
    expect(run.code, run.out).toBe(0)
    expect(run.out).toMatch(/policies: 2 rows/)
    expect(run.out).toMatch(/stats_minute: 2 rows/)

    const onPg = await startServer({
      port: 0,
      dbPath: db.url,
      adminKey: ADMIN_KEY,
      generationIntervalMs: 0,
      rateLimit: false,
    })
    try {
      const call = (
        path: string,
        init: { method?: string; body?: unknown; key?: string; headers?: Record<string, string> } = {},
      ) =>
        fetch(onPg.url + path, {
          method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
          headers: {
            authorization: `Bearer ${init.key ?? ADMIN_KEY}`,
            'content-type': 'application/json',
            ...init.headers,
          },
          body: init.body === undefined ? undefined : JSON.stringify(init.body),
        })
      // The ingest key made on SQLite works; the policy, its ETag and 304 are the same.
      const after = await call('/v1/policies/shop?environment=prod', { key: ingest })
      expect(after.headers.get('etag')).toBe(etag)
      expect(await after.text()).toBe(body)
      expect(
        (
          await call('/v1/policies/shop?environment=prod', {
            key: ingest,
            headers: { 'if-none-match': etag },
          })
        ).status,
      ).toBe(304)
      expect(await (await call('/v1/patterns?service=shop&environment=prod')).text()).toBe(patterns)
      expect(await (await call('/v1/services/shop/settings')).json()).toMatchObject({
        budget: { bytesPerDay: 5000 },
      })
      // Numbering continues after the copied rows.
      const next = await call('/v1/policies/shop?environment=prod', {
        method: 'PUT',
        body: { rules: [{ signature: sig(1), rate: 0.125, reason: 'manual' }] },
      })
      expect(((await next.json()) as { policy: { version: number } }).policy.version).toBe(3)
      const pin2 = (await (
        await call('/v1/services/shop/pins', { body: { signature: sig(3), rate: 1, reason: 'x' } })
      ).json()) as { id: number }
      expect(pin2.id).toBeGreaterThan((pin as { id: number }).id)
      const groups = '/v1/services/shop/pattern-groups?environment=prod'
      expect((await (await call(groups)).json()).separations).toEqual([separation])
      const url = '/v1/services/shop/pattern-groups/forbid?environment=prod'
      const next2 = (await (await call(url, { body: forbid })).json()) as { id: number }
      expect(next2.id).toBeGreaterThan(separation.id)
    } finally {
      await onPg.close()
    }
    // A second run into the now-used database is refused, and changes nothing.
    const again = await runMigrate(['--from', dbFile, '--to', db.url])
    expect(again.code).not.toBe(0)
    expect(again.out).toMatch(/not empty/)
    await sqlite.close()
  }, 60_000)
})
