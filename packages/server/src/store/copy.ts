// `logsieve-server migrate --from file.db --to postgres://…`: copy a SQLite database into an empty
// PostgreSQL one. Both are first brought to the latest schema, so their tables match column for column;
// every table is copied in one transaction, then what PostgreSQL keeps beside (the last version per
// service, the pin and separation id sequences) is derived from the copied rows.
import pg from 'pg'
import { PostgresStore } from './postgres.js'
import { SqliteStore } from './sqlite.js'

const CHUNK = 5000
/** Tables that hold data in a used database: a target with rows in any of them is refused. */
const GUARDED = ['api_keys', 'patterns', 'policies', 'stats_minute']

export interface CopyResult {
  /** Rows copied per table. */
  tables: Record<string, number>
}

export async function copySqliteToPostgres(from: string, to: string): Promise<CopyResult> {
  // Opening applies pending migrations to both, so the source and target schemas are the same step.
  const source = new SqliteStore(from)
  await (await PostgresStore.open(to)).close()
  const client = new pg.Client({ connectionString: to })
  await client.connect()
  try {
    await client.query('BEGIN')
    for (const t of GUARDED) {
      const r = await client.query(`SELECT 1 FROM ${t} LIMIT 1`)
      if (r.rowCount)
        throw new Error(`the target database is not empty (table ${t} has rows); migrate into a new one`)
    }
    const target = new Set(
      (
        await client.query<{ t: string }>(
          'SELECT tablename AS t FROM pg_tables WHERE schemaname = current_schema()',
        )
      ).rows.map((r) => r.t),
    )
    const tables = (
      source.db
        .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
        .all() as {
        name: string
      }[]
    )
      .map((r) => r.name)
      .filter((name) => target.has(name))
    const out: CopyResult = { tables: {} }
    for (const table of tables) {
      let n = 0
      let chunk: unknown[] = []
      const flush = async () => {
        if (chunk.length === 0) return
        // json_populate_recordset maps each row's keys to the target's columns and types.
        await client.query(
          `INSERT INTO ${table} SELECT * FROM json_populate_recordset(null::${table}, $1::json)`,
          [JSON.stringify(chunk)],
        )
        n += chunk.length
        chunk = []
      }
      for (const row of source.db.prepare(`SELECT * FROM ${table}`).iterate()) {
        chunk.push(row)
        if (chunk.length >= CHUNK) await flush()
      }
      await flush()
      out.tables[table] = n
    }
    await client.query(`INSERT INTO policy_heads (service, environment, version)
      SELECT service, environment, max(version) FROM policies GROUP BY service, environment`)
    for (const table of ['pins', 'pattern_separations'])
      await client.query(
        `SELECT setval(pg_get_serial_sequence('${table}', 'id'), coalesce(max(id), 0) + 1, false) FROM ${table}`,
      )
    await client.query('COMMIT')
    return out
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {})
    throw err
  } finally {
    await client.end()
    source.close()
  }
}
