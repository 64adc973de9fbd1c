// The store a `--db` value names: a postgres:// URL opens PostgreSQL (the pg driver is loaded only then),
// anything else is a SQLite file path.
import { SqliteStore } from './sqlite.js'
import type { Store } from './types.js'

/** True when `db` is a PostgreSQL connection URL rather than a SQLite path. */
export const isPostgresUrl = (db: string): boolean => /^postgres(ql)?:\/\//i.test(db)

/** Opens the store `db` names, migrations applied. */
export async function openStore(db: string): Promise<Store> {
  if (!isPostgresUrl(db)) return new SqliteStore(db)
  const { PostgresStore } = await import('./postgres.js')
  return PostgresStore.open(db)
}
