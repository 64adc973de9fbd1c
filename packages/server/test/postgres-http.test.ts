// The HTTP contract suites, unchanged, against servers on the real PostgreSQL (a database per server,
// dropped on close): ingest, generation, streams, keys, the operational routes and pattern groups.
import { describe, vi } from 'vitest'
import { titled } from '../../../test/support/requirement.js'
import { pgSkipReason } from './pg.js'

const skip = await pgSkipReason()
if (skip) describe.skip(titled('HTTP contract on PostgreSQL', skip), () => {})
else {
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
