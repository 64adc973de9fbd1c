// Replicas that act as one: real `logsieve-server` processes on one real PostgreSQL schema (dropped
// after each test). Concurrent stats and admin writes, SSE across replicas, SIGKILL during generation,
// and connections cut under load.
import type { ChildProcess } from 'node:child_process'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { titled } from '../../../test/support/requirement.js'
import { type BinProcess, exited, killAll, startBin } from './bin.js'
import { ADMIN_KEY, batch, sig, sseReader } from './helpers.js'
import { createTestDatabase, pgSkipReason, sqlRows, type TestDatabase, terminateConnections } from './pg.js'

const skip = await pgSkipReason()
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe.skipIf(skip)(titled('replicas on PostgreSQL', skip), () => {
  let db: TestDatabase
  const children: ChildProcess[] = []
  beforeEach(async () => {
    db = await createTestDatabase()
  })
  afterEach(async () => {
    killAll(children)
    await Promise.all(children.map(exited))
    children.length = 0
    await db.drop()
  })

  const replica = async (env: Record<string, string> = {}) => {
    const bin = await startBin(['--db', db.url, '--log-level', 'warn'], {
      LOGSIEVE_ADMIN_KEY: ADMIN_KEY,
      LOGSIEVE_GENERATION_INTERVAL_MS: '0',
      LOGSIEVE_RATE_LIMIT: '0',
      ...env,
    })
    children.push(bin.child)
    return bin
  }
  const replicas = async (n: number) => {
    // The first one migrates the empty schema; the others start together.
    const first = await replica()
    return [first, ...(await Promise.all(Array.from({ length: n - 1 }, () => replica())))]
  }
  const call = (
    base: string,
    path: string,
    init: { method?: string; body?: unknown; key?: string; headers?: Record<string, string> } = {},
  ) =>
    fetch(base + path, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: {
        authorization: `Bearer ${init.key ?? ADMIN_KEY}`,
        'content-type': 'application/json',
        ...init.headers,
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    })
  const sql = (text: string, values: unknown[] = []) => sqlRows(db.url, text, values)
  // An acknowledged batch is in the minute rows or still in the inbox (not folded yet), exactly once.
  const storedSeen = async (service: string) =>
    Number(
      (
        await sql(
          `SELECT (SELECT coalesce(sum(seen), 0) FROM stats_minute WHERE service = $1)
             + (SELECT coalesce(sum(u.n), 0) FROM stats_inbox, unnest(service, seen) AS u(s, n) WHERE u.s = $1) AS n`,
          [service],
        )
      )[0]!.n,
    )
  const storedVersions = async (service: string) =>
    (await sql('SELECT version FROM policies WHERE service = $1 ORDER BY version', [service])).map(
      (r) => r.version as number,
    )
  const manual = (rate: number) => ({ rules: [{ signature: sig(1), rate, reason: 'manual' }] })

  it('three replicas under concurrent stats and admin writes count every acknowledged batch and number versions once', async () => {
    const reps = await replicas(3)
    let ackedSeen = 0
    let versions = 0
    const failures: string[] = []
    const stats = async (w: number) => {
      for (let i = 0; i < 40; i++) {
        const seen = 1 + ((w * 7 + i * 13) % 50)
        const res = await call(reps[(w + i) % 3]!.url, '/v1/stats', {
          body: batch('shop', [[i % 20, 'info', seen, 120]], { instance: `host-${w}` }),
        })
        if (res.status === 202) ackedSeen += seen
        else failures.push(`stats ${res.status}`)
      }
    }
    const admin = async (w: number) => {
      for (let i = 0; i < 12; i++) {
        const base = reps[(w + i) % 3]!.url
        const kind = i % 4
        const res =
          kind === 0
            ? await call(base, '/v1/policies/shop?environment=prod', {
                method: 'PUT',
                body: manual(1 / (i + 2)),
              })
            : kind === 1
              ? await call(base, '/v1/policies/shop/generate?environment=prod', { method: 'POST' })
              : kind === 2
                ? await call(base, '/v1/services/shop/settings', {
                    method: 'PUT',
                    body: { budget: { bytesPerDay: 1_000_000 * (w + 1) } },
                  })
                : await call(base, '/v1/services/shop/pins', {
                    body: { signature: sig(w), rate: 1, reason: `pin ${w}.${i}` },
                  })
        if (res.status === 201 && kind <= 1) versions++
        else if (res.status >= 300 && !(kind === 1 && res.status === 409))
          failures.push(`admin ${kind} ${res.status}`)
      }
    }
    await Promise.all([...[0, 1, 2, 3, 4, 5].map(stats), ...[0, 1, 2].map(admin)])
    expect(failures).toEqual([])
    // Every 202 is in the database, once.
    expect(await storedSeen('shop')).toBe(ackedSeen)
    // Versions: one per 201, contiguous from 1, assigned in the database.
    expect(await storedVersions('shop')).toEqual(Array.from({ length: versions }, (_, i) => i + 1))
    // Every replica serves the same policy, ETag and 304 within a second.
    await sleep(1000)
    const key = await (
      await call(reps[0]!.url, '/v1/keys', { body: { scope: 'ingest', name: 'sdk' } })
    ).json()
    const sdkKey = (key as { key: string }).key
    const views = await Promise.all(
      reps.map(async (r) => {
        const res = await call(r.url, '/v1/policies/shop?environment=prod', { key: sdkKey })
        return { etag: res.headers.get('etag'), body: await res.text() }
      }),
    )
    expect(new Set(views.map((v) => v.etag)).size).toBe(1)
    expect(new Set(views.map((v) => v.body)).size).toBe(1)
    expect(JSON.parse(views[0]!.body).version).toBe(versions)
    for (const r of reps) {
      const res = await call(r.url, '/v1/policies/shop?environment=prod', {
        key: sdkKey,
        headers: { 'if-none-match': views[0]!.etag! },
      })
      expect(res.status).toBe(304)
    }
    // Settings and pins read the same on every replica.
    const settings = await Promise.all(
      reps.map(async (r) => (await call(r.url, '/v1/services/shop/settings')).text()),
    )
    expect(new Set(settings).size).toBe(1)
    const pins = await Promise.all(
      reps.map(async (r) => (await call(r.url, '/v1/services/shop/pins')).text()),
    )
    expect(new Set(pins).size).toBe(1)
    expect((JSON.parse(pins[0]!) as { pins: unknown[] }).pins).toHaveLength(9)
    // A key revoked on one replica stops working on the others within a second (they cache verified keys).
    const id = /^lsk_([a-z0-9]{12})_/.exec(sdkKey)![1]!
    expect((await call(reps[2]!.url, `/v1/keys/${id}`, { method: 'DELETE' })).status).toBeLessThan(300)
    await sleep(1000)
    for (const r of reps) expect((await call(r.url, '/v1/policies/shop', { key: sdkKey })).status).toBe(401)
  }, 90_000)

  it('streams a version applied, generated or rolled back on one replica to SSE clients of the others within a second', async () => {
    const reps = await replicas(3)
    const key = (
      (await (await call(reps[0]!.url, '/v1/keys', { body: { scope: 'ingest', name: 'sdk' } })).json()) as {
        key: string
      }
    ).key
    const open = async (base: string) => {
      const res = await fetch(`${base}/v1/policies/web/stream?environment=prod&apiKey=${key}`)
      const sse = sseReader(res)
      expect((await sse.next()).get('id')).toBe('0')
      return sse
    }
    const [s1, s2] = [await open(reps[1]!.url), await open(reps[2]!.url)]
    const arrives = async (sse: Awaited<ReturnType<typeof open>>, version: number, since: number) => {
      const e = await sse.next()
      expect(e.get('id')).toBe(String(version))
      return Date.now() - since
    }
    // Applied on replica 0.
    let t = Date.now()
    expect(
      (await call(reps[0]!.url, '/v1/policies/web?environment=prod', { method: 'PUT', body: manual(0.5) }))
        .status,
    ).toBe(201)
    expect(Math.max(await arrives(s1, 1, t), await arrives(s2, 1, t))).toBeLessThan(1000)
    // Stats acknowledged by replica 0 only; generated on replica 2 (409 if it could not see them).
    const stats = await call(reps[0]!.url, '/v1/stats', { body: batch('web', [[2, 'info', 500, 200]]), key })
    expect(stats.status).toBe(202)
    t = Date.now()
    const gen = await call(reps[2]!.url, '/v1/policies/web/generate?environment=prod', { method: 'POST' })
    expect(gen.status).toBe(201)
    expect(((await gen.json()) as { policy: { source: string; version: number } }).policy).toMatchObject({
      source: 'generated',
      version: 2,
    })
    expect(Math.max(await arrives(s1, 2, t), await arrives(s2, 2, t))).toBeLessThan(1000)
    // Rolled back on replica 1.
    t = Date.now()
    expect(
      (await call(reps[1]!.url, '/v1/policies/web/rollback/1?environment=prod', { method: 'POST' })).status,
    ).toBe(201)
    expect(Math.max(await arrives(s1, 3, t), await arrives(s2, 3, t))).toBeLessThan(1000)
    await s1.cancel()
    await s2.cancel()
  }, 60_000)

  it('loses no acknowledged stats and no version when a replica is SIGKILLed during generation', async () => {
    const [a, b] = (await replicas(2)) as [BinProcess, BinProcess]
    // Many patterns, so a generation takes long enough to be cut midway.
    const wide = (w: number, i: number) =>
      batch(
        'big',
        Array.from(
          { length: 2000 },
          (_, p) => [p, 'info', 1 + ((p + i + w) % 5), 150] as [number, 'info', number, number],
        ),
        { instance: `w${w}` },
      )
    const seenOf = (w: number, i: number) => wide(w, i).patterns.reduce((n, p) => n + p.seen, 0)
    let acked = 0
    let uncertain = 0
    let stop = false
    const writer = async (w: number) => {
      for (let i = 0; !stop; i++) {
        const target = i % 2 === 0 ? a : b
        try {
          const res = await call(target.url, '/v1/stats', { body: wide(w, i) })
          if (res.status === 202) acked += seenOf(w, i)
        } catch {
          // Replica a died with the batch in flight: not acknowledged, but it may have committed it.
          uncertain += seenOf(w, i)
        }
      }
    }
    const writers = [0, 1, 2].map(writer)
    const generated = new Map<number, string>()
    const generateOn = async (base: string) => {
      const res = await call(base, '/v1/policies/big/generate?environment=prod', { method: 'POST' })
      if (res.status === 201) {
        const { policy } = (await res.json()) as { policy: { version: number } }
        generated.set(policy.version, JSON.stringify(policy))
      }
      return res.status
    }
    while (acked === 0) await sleep(20)
    for (let i = 0; i < 3; i++) await generateOn(a.url)
    // Kill a while its next generation runs.
    const inFlight = generateOn(a.url).catch(() => 'killed')
    await sleep(30)
    a.child.kill('SIGKILL')
    expect((await exited(a.child)).signal).toBe('SIGKILL')
    await inFlight
    await sleep(200)
    stop = true
    await Promise.all(writers)
    // The survivor generates from everything acknowledged, a's stats included, with the next version.
    expect([200, 201]).toContain(await generateOn(b.url))
    const versions = await storedVersions('big')
    expect(versions).toEqual(Array.from({ length: versions.length }, (_, i) => i + 1))
    expect(Math.max(...generated.keys())).toBe(versions.length)
    for (const [v, body] of generated) {
      const row = await sql('SELECT body FROM policies WHERE service = $1 AND version = $2', ['big', v])
      expect(row[0]!.body).toBe(body)
    }
    // Every acknowledged batch counts once; a batch cut off unanswered may have counted too.
    const stored = await storedSeen('big')
    expect(stored).toBeGreaterThanOrEqual(acked)
    expect(stored).toBeLessThanOrEqual(acked + uncertain)
    expect(await sql('SELECT 1 FROM pending_stats')).toEqual([])
  }, 90_000)

  it('keeps serving held policies while its connections are cut, answers writes 503 JSON, and recovers by itself', async () => {
    const [a, b] = (await replicas(2)) as [BinProcess, BinProcess]
    const key = (
      (await (await call(a.url, '/v1/keys', { body: { scope: 'ingest', name: 'sdk' } })).json()) as {
        key: string
      }
    ).key
    expect(
      (await call(a.url, '/v1/policies/held?environment=prod', { method: 'PUT', body: manual(0.5) })).status,
    ).toBe(201)
    await sleep(300)
    const etag = (await call(b.url, '/v1/policies/held?environment=prod', { key })).headers.get('etag')!
    // Each replica has verified the SDK's key once before the cuts: a replica can only vouch for a key it
    // has seen while the database was there (docs/deployment.md, failure modes).
    expect((await call(a.url, '/v1/policies/held?environment=prod', { key })).status).toBe(200)
    const res = await fetch(`${b.url}/v1/policies/held/stream?environment=prod&apiKey=${key}`)
    const sse = sseReader(res)
    expect((await sse.next()).get('id')).toBe('1')

    const reads = new Map<number, number>()
    const writes = new Map<number, number>()
    const errorCodes = new Set<string>()
    let cutting = true
    const reader = async () => {
      while (cutting && a.child.exitCode === null && b.child.exitCode === null) {
        for (const r of [a, b]) {
          const s = (
            await call(r.url, '/v1/policies/held?environment=prod', {
              key,
              headers: { 'if-none-match': etag },
            })
          ).status
          reads.set(s, (reads.get(s) ?? 0) + 1)
        }
      }
    }
    const writer = async () => {
      for (let i = 0; cutting && a.child.exitCode === null && b.child.exitCode === null; i++) {
        for (const r of [
          await call(a.url, '/v1/services/held/settings', {
            method: 'PUT',
            body: { budget: { bytesPerDay: 1000 + i } },
          }),
          await call(b.url, '/v1/stats', { body: batch('held', [[1, 'info', 3, 100]]), key }),
        ]) {
          writes.set(r.status, (writes.get(r.status) ?? 0) + 1)
          if (r.status === 503) errorCodes.add(((await r.json()) as { error: { code: string } }).error.code)
          else await r.body?.cancel()
        }
      }
    }
    const load = [reader(), reader(), writer()]
    for (let i = 0; i < 10; i++) {
      await terminateConnections(db.url)
      await sleep(250)
    }
    cutting = false
    await Promise.all(load)
    // Reads never failed; writes either succeeded or said 503 with the JSON error.
    expect([...reads.keys()], `reads ${JSON.stringify([...reads])}`).toEqual([304])
    expect([...writes.keys()].every((s) => s === 201 || s === 200 || s === 202 || s === 503)).toBe(true)
    expect(writes.get(503) ?? 0).toBeGreaterThan(0)
    expect([...errorCodes]).toEqual(['LOGSIEVE_DB_UNAVAILABLE'])
    expect(a.child.exitCode, a.output()).toBeNull()
    expect(b.child.exitCode, b.output()).toBeNull()
    // Back by themselves: a write on one reaches the other's stream.
    let put: Response | undefined
    for (let i = 0; i < 50 && put?.status !== 201; i++) {
      if (i) await sleep(100)
      put = await call(a.url, '/v1/policies/held?environment=prod', { method: 'PUT', body: manual(0.25) })
    }
    expect(put!.status, `${a.output()}\n${await put!.clone().text()}`).toBe(201)
    const { policy } = (await put!.json()) as { policy: { version: number } }
    let e = await sse.next()
    while (Number(e.get('id')) < policy.version) e = await sse.next()
    expect(e.get('id')).toBe(String(policy.version))
    for (const r of [a, b]) expect((await fetch(`${r.url}/ready`)).status, r.output()).toBe(200)
    await sse.cancel()
  }, 60_000)
})
