// Real PostgreSQL for tests: each test gets its own database, dropped afterwards. Where PostgreSQL cannot
// be reached the suites say so and skip; LOGSIEVE_REQUIRE_ALL=1 (CI) turns that skip into a failure.
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { requirement } from '../../../test/support/requirement.js'

/** The server the tests create their databases in. */
export const PG_ADMIN_URL = process.env.LOGSIEVE_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres'

async function probe(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3000 })
  try {
    await client.connect()
    await client.query('SELECT 1')
    return undefined
  } catch (err) {
    return (err as Error).message || String(err)
  } finally {
    await client.end().catch(() => {})
  }
}

/** Why PostgreSQL tests cannot run here (undefined when they can); throws under LOGSIEVE_REQUIRE_ALL=1. */
export async function pgSkipReason(): Promise<string | undefined> {
  const error = await probe()
  return requirement(
    'PostgreSQL',
    error === undefined,
    `is not reachable at ${PG_ADMIN_URL} (${error})`,
    'start PostgreSQL on 127.0.0.1:5432 (trust auth) or set LOGSIEVE_TEST_PG to a server URL',
  )
}

export interface TestDatabase {
  /** The connection URL, its search_path set to the test's own schema. */
  url: string
  drop(): Promise<void>
}

/** The database test schemas are made in (`test`, beside the admin URL's `postgres`). */
const TEST_DB_URL = (() => {
  const u = new URL(PG_ADMIN_URL)
  u.pathname = `/${process.env.LOGSIEVE_TEST_PG_DB ?? 'test'}`
  return u
})()

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_DB_URL.toString() })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

/** A fresh, empty schema (its connections are named after it); `drop` cuts them and removes it. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `logsieve_test_${randomBytes(6).toString('hex')}`
  await admin((c) => c.query(`CREATE SCHEMA ${name}`))
  const url = new URL(TEST_DB_URL)
  url.searchParams.set('options', `-c search_path=${name}`)
  url.searchParams.set('application_name', name)
  return {
    url: url.toString(),
    async drop() {
      await terminateConnections(url.toString())
      await admin((c) => c.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`))
    },
  }
}

/** Cuts every connection of a test schema's URL, as a PostgreSQL restart would. */
export async function terminateConnections(dbUrl: string): Promise<number> {
  const name = new URL(dbUrl).searchParams.get('application_name')
  return admin(async (c) => {
    const r = await c.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()',
      [name],
    )
    return r.rowCount ?? 0
  })
}

/** Runs one query on its own connection to a test schema: what another process would read. */
export async function sqlRows(
  dbUrl: string,
  text: string,
  values: unknown[] = [],
): Promise<pg.QueryResultRow[]> {
  const client = new pg.Client({ connectionString: dbUrl })
  await client.connect()
  try {
    return (await client.query(text, values)).rows
  } finally {
    await client.end()
  }
}
