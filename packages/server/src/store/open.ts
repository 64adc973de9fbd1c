// The store a `--db` value names: a postgres:// URL opens PostgreSQL (the pg driver is loaded only then),
// anything else is a SQLite file path.
import { SqliteStore } from './sqlite.js'
import type { Store } from './types.js'

/** True when `db` is a PostgreSQL connection URL rather than a SQLite path. */
export const isPostgresUrl = (db: string): boolean => /^postgres(ql)?:\/\//i.test(db)

/** Opens the store `db` names, migrations applied. */
export async function openStore(db: string): Promise<Store> {
  if (!isPostgresUrl(db)) return openSqlite(db)
  const { PostgresStore } = await import('./postgres.js')
  return PostgresStore.open(db)
}

/** A SQLite file the server cannot use fails the start at once, saying which file and why. */
function openSqlite(path: string): Store {
  try {
    return new SqliteStore(path)
  } catch (err) {
    const reason = (err as Error).message
    // pnpm 10 skips better-sqlite3's build unless allowed: name the fix, not the missing .node file.
    const detail = reason.includes('bindings file')
      ? "better-sqlite3's native module is not built (pnpm 10: `pnpm approve-builds`, see docs/server.md)"
      : reason
    throw new Error(
      `LOGSIEVE_DB_UNAVAILABLE: cannot open the SQLite database ${JSON.stringify(path)} (--db): ${detail}`,
      {
        cause: err,
      },
    )
  }
}
