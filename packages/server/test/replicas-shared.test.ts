// What replicas share beyond stats and policies (issue 17). Scheduled generation runs only on fresh stats:
// a replica that finds the group's lock taken, or the stats gone once it holds the lock, skips instead of
// generating from nothing. "Instances reporting" is one count, whichever replica the instances reached.
// Real servers on SQLite and on one real PostgreSQL schema.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { titled } from '../../../test/support/requirement.js'
import { type RunningServer, startServer } from '../src/index.js'
import { ADMIN_KEY, batch } from './helpers.js'
import { createTestDatabase, pgSkipReason, type TestDatabase } from './pg.js'

const skip = await pgSkipReason()

/** Generations a server ran, by result, from its own /metrics. */
function generations(server: RunningServer): number {
  const text = server.context.metrics.render()
  let n = 0
  for (const m of text.matchAll(/^logsieve_policy_generations_total\{[^}]*\} (\d+)$/gm)) n += Number(m[1])
  return n
}

const open: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const close of open.splice(0).reverse()) await close()
})

async function server(db: string): Promise<RunningServer> {
  const s = await startServer({
    port: 0,
    dbPath: db,
    adminKey: ADMIN_KEY,
    generationIntervalMs: 0,
    rateLimit: false,
  })
  open.push(() => s.close())
  return s
}

async function send(s: RunningServer, instance = 'host-1'): Promise<void> {
  const res = await fetch(`${s.url}/v1/stats`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(
      batch(
        'checkout',
        [
          [1, 'info', 600, 100],
          [2, 'debug', 6000, 80],
        ],
        { instance },
      ),
    ),
  })
  expect(res.status).toBe(202)
}

describe('scheduled generation on SQLite', () => {
  it('skips a group whose stats an earlier run took', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'logsieve-scheduled-'))
    open.push(async () => rmSync(dir, { recursive: true, force: true }))
    const s = await server(join(dir, 'logsieve.db'))
    await send(s)
    expect((await s.context.generation.generateIfPending('checkout', 'prod'))?.stored).toBe(true)
    expect(await s.context.generation.generateIfPending('checkout', 'prod')).toBeUndefined()
    expect(generations(s)).toBe(1)
  })

  it('still counts the instances that reported after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'logsieve-instances-'))
    open.push(async () => rmSync(dir, { recursive: true, force: true }))
    const first = await server(join(dir, 'logsieve.db'))
    await send(first, 'host-1')
    await send(first, 'host-2')
    await first.close()
    const second = await server(join(dir, 'logsieve.db'))
    expect(await second.context.instances.count('checkout', 'prod', Date.now() - 60_000)).toBe(2)
  })
})

describe.skipIf(skip)(titled('scheduled generation on PostgreSQL', skip), () => {
  let db: TestDatabase
  const replicas = async () => {
    db = await createTestDatabase()
    open.push(() => db.drop())
    const a = await server(db.url)
    return [a, await server(db.url)] as const
  }

  it('runs once when two replicas tick together: the one that waits for the lock skips', async () => {
    const [a, b] = await replicas()
    await send(a)
    // Both read the pending groups, then both go for the group's lock.
    await Promise.all([a.context.scheduler.tick(), b.context.scheduler.tick()])
    expect(generations(a) + generations(b)).toBe(1)
    const res = await fetch(`${b.url}/v1/policies/checkout/history?environment=prod`, {
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    })
    expect(((await res.json()) as { versions: unknown[] }).versions).toHaveLength(1)
  })

  it('skips a group whose stats another replica took before this one held the lock', async () => {
    const [a, b] = await replicas()
    await send(a)
    expect((await a.context.generation.generateIfPending('checkout', 'prod'))?.stored).toBe(true)
    expect(await b.context.generation.generateIfPending('checkout', 'prod')).toBeUndefined()
    expect(generations(b)).toBe(0)
  })

  it('counts the same instances on every replica, whichever one each instance reached', async () => {
    const [a, b] = await replicas()
    await send(a, 'host-1')
    await send(b, 'host-2')
    await send(b, 'host-3')
    const since = Date.now() - 60_000
    // Each replica writes its reports at its next stats flush (every 2 s by default).
    for (const s of [a, b]) {
      await expect
        .poll(() => s.context.instances.count('checkout', 'prod', since), { timeout: 10_000 })
        .toBe(3)
    }
  })

  it('rewrites a pattern row when its template changes or a minute after its last write, not on every batch', async () => {
    const [a] = await replicas()
    const post = async (end: number, template = 'pattern 1 <*>') => {
      const body = batch('checkout', [[1, 'info', 10, 100]], { end, seconds: 10 })
      body.patterns[0]!.template = template
      const res = await fetch(`${a.url}/v1/stats`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
      expect(res.status).toBe(202)
    }
    const row = async () => (await a.store.listPatterns('checkout', 'prod'))[0]!
    const t0 = Date.now() - 5 * 60_000
    await post(t0)
    expect((await row()).lastSeen).toBe(t0)
    // Seen again 10 s later, same template: the row waits (its minute stats are written all the same).
    await post(t0 + 10_000)
    expect((await row()).lastSeen).toBe(t0)
    expect((await a.store.patternTotals('checkout', 'prod', 0))[0]!.seen).toBe(20)
    await post(t0 + 20_000, 'pattern 1 <*> done')
    expect(await row()).toMatchObject({ lastSeen: t0 + 20_000, template: 'pattern 1 <*> done' })
    await post(t0 + 90_000, 'pattern 1 <*> done')
    expect((await row()).lastSeen).toBe(t0 + 90_000)
  })
})
