// A SQLite service with more patterns than are worth a thread hop is generated whole in the generation
// worker: the worker reads the patterns and writes their rate states through its own connection, while
// the server keeps taking stats. Real server, real SQLite file, real worker thread.
import { existsSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { IN_PROCESS_MAX } from '../src/generation/worker-client.js'
import { batch, startTestServer, type TestServer } from './helpers.js'

const PATTERNS = IN_PROCESS_MAX * 3

let t: TestServer | undefined
afterEach(async () => {
  await t?.close()
  t = undefined
})

/** `PATTERNS` info patterns; pattern i logs (1 + i % 50) × `scale` lines a minute. */
const stats = (scale: number, end = Date.now()) =>
  batch(
    'wide',
    Array.from(
      { length: PATTERNS },
      (_, i) => [i, 'info', (1 + (i % 50)) * scale, 120] as [number, 'info', number, number],
    ),
    { end, seconds: 60 },
  )

async function post(body: unknown): Promise<void> {
  const res = await t!.call('/v1/stats', { body })
  expect(res.status).toBe(202)
}

const states = async () =>
  (await t!.server.store.listPatterns('wide', 'prod', { limit: PATTERNS })).map((p) => [p.samples, p.emaRate])

describe('generation in the worker (SQLite)', { timeout: 60_000 }, () => {
  it('reads the patterns and writes their rate states there; a dry run writes none', async () => {
    t = await startTestServer()
    await post(stats(1, Date.now() - 60_000))
    const first = await t.server.generate('wide', 'prod')
    expect(first.stored).toBe(true)
    const after = await states()
    expect(after).toHaveLength(PATTERNS)
    expect(after.every(([samples, rate]) => samples === 1 && (rate as number) > 0)).toBe(true)

    await post(stats(10))
    const dry = await t.server.generate('wide', 'prod', { dryRun: true })
    expect(dry.stored).toBe(false)
    expect(await states()).toEqual(after)

    // Stats keep arriving (and being written) while the worker generates.
    const [second] = await Promise.all([t.server.generate('wide', 'prod'), post(stats(2)), t.server.flush()])
    const rates = await states()
    expect(rates.every(([samples]) => samples === 2)).toBe(true)
    // Ten times the lines since the first generation: every pattern's rate went up.
    expect(rates.every(([, rate], i) => (rate as number) > (after[i]![1] as number))).toBe(true)
    expect(second.policy.version).toBeGreaterThanOrEqual(first.policy.version)
    // All three ran on the worker thread.
    expect(t.server.context.metrics.render()).toMatch(/^logsieve_generation_worker_jobs_total 3$/m)
  })

  it('closes its connection before the server folds the WAL back into the database file', async () => {
    t = await startTestServer()
    await post(stats(1))
    await t.server.generate('wide', 'prod')
    const wal = join(t.dir, 'logsieve.db-wal')
    await t.server.close()
    // A reader still open would have kept the WAL from being truncated.
    expect(existsSync(wal) ? statSync(wal).size : 0).toBe(0)
  })
})
