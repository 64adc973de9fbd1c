// The HTTP contract suites, unchanged, against servers on the real PostgreSQL (a database per server,
// dropped on close): ingest, generation, streams, keys, the operational routes and pattern groups.
import { describe, expect, it, vi } from 'vitest'
import { titled } from '../../../test/support/requirement.js'
import { createTestDatabase, pgSkipReason } from './pg.js'

const skip = await pgSkipReason()
// Where PostgreSQL is missing, this title says so (and why); the suites below are then not loaded.
describe.skipIf(skip)(titled('HTTP contract on PostgreSQL', skip), () => {
  it('gets a schema of its own for each server, dropped afterwards', async () => {
    const db = await createTestDatabase()
    const schema = new URL(db.url).searchParams.get('application_name')
    expect(schema).toMatch(/^logsieve_test_[0-9a-f]{12}$/)
    await db.drop()
  })
})
if (!skip) {
  process.env.LOGSIEVE_TEST_ENGINE = 'postgres'
  // Each server first creates and migrates its own schema: more set-up time than a SQLite file.
  vi.setConfig({ testTimeout: 20_000 })
  await import('./ingest.test.js')
  await import('./generation.test.js')
  await import('./stream.test.js')
  await import('./keys.test.js')
  await import('./ops.test.js')
  await import('./pattern-groups.test.js')
}
