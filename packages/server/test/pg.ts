// Real PostgreSQL for tests: each test gets its own database, dropped afterwards. Where PostgreSQL cannot
// be reached the suites say so and skip; LOGSIEVE_REQUIRE_ALL=1 (CI) turns that skip into a failure.
import { randomBytes } from 'node:crypto'
import pg from 'pg'

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
export async function pgSkipReason(suite: string): Promise<string | undefined> {
  const error = await probe()
  if (error === undefined) return undefined
  const reason = `${suite}: SKIPPED - PostgreSQL not reachable at ${PG_ADMIN_URL} (${error})`
  if (process.env.LOGSIEVE_REQUIRE_ALL === '1')
    throw new Error(`${reason}; LOGSIEVE_REQUIRE_ALL=1 forbids skipping`)
  console.warn(reason)
  return reason
}

export interface TestDatabase {
  url: string
  drop(): Promise<void>
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

/** A fresh, empty database; `drop` ends its connections and removes it. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `logsieve_test_${randomBytes(6).toString('hex')}`
  await admin((c) => c.query(`CREATE DATABASE ${name}`))
  const url = new URL(PG_ADMIN_URL)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => {}),
  }
}

/** Cuts every connection to a test database, as a PostgreSQL restart would. */
export async function terminateConnections(dbUrl: string): Promise<number> {
  const name = new URL(dbUrl).pathname.slice(1)
  return admin(async (c) => {
    const r = await c.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [name],
    )
    return r.rowCount ?? 0
  })
}
