// The stats inbox of PostgreSQL replicas: an acknowledged flush only INSERTs its minute rows into
// `stats_inbox` (one row of arrays per flush), so replicas never wait on each other's row locks. One
// process at a time folds the inbox into `stats_minute` and `stats_overflow_minute`, in one statement that
// deletes what it adds: a fold cut short (a replica SIGKILLed midway) commits nothing and leaves the rows
// for the next fold; rows inserted while a fold runs are not in its snapshot and wait for the next one.
import type pg from 'pg'
import { ROW_MAX_BYTES, ROW_MAX_COUNT } from '../stats-limits.js'
import type { FoldResult, MinuteStats, OverflowStats } from './types.js'

/** How often a replica tries to fold the inbox; one that finds another folding skips its turn. */
export const FOLD_INTERVAL_MS = 2000

type Column<T> = readonly [name: string, type: string, value: (row: T) => unknown]

/** The inbox row of one flush: per column of a minute row (then of an overflow row), one array. */
const MINUTE_COLUMNS: ReadonlyArray<Column<MinuteStats>> = [
  ['service', 'text', (x) => x.service],
  ['environment', 'text', (x) => x.environment],
  ['signature', 'text', (x) => x.signature],
  ['level', 'text', (x) => x.level],
  ['minute', 'int8', (x) => x.minute],
  ['seen', 'int8', (x) => x.seen],
  ['kept', 'int8', (x) => x.kept],
  ['bytes', 'float8', (x) => x.bytes],
  ['kept_bytes', 'float8', (x) => x.keptBytes],
  ['plain_bytes', 'float8', (x) => x.plainBytes],
]
const OVERFLOW_COLUMNS: ReadonlyArray<Column<OverflowStats>> = [
  ['o_service', 'text', (x) => x.service],
  ['o_environment', 'text', (x) => x.environment],
  ['o_minute', 'int8', (x) => x.minute],
  ['o_seen', 'int8', (x) => x.seen],
  ['o_kept', 'int8', (x) => x.kept],
  ['o_bytes', 'float8', (x) => x.bytes],
  ['o_kept_bytes', 'float8', (x) => x.keptBytes],
]
const COLUMNS = [...MINUTE_COLUMNS, ...OVERFLOW_COLUMNS] as ReadonlyArray<Column<never>>

/** How many array columns an inbox row has. */
export const INBOX_ARITY = COLUMNS.length

/** The array columns of an inbox row, in the order of `inboxParams` and `inboxValues`. */
export const INBOX_COLUMNS = COLUMNS.map(([name]) => name).join(', ')

/** The typed parameters of INBOX_COLUMNS, numbered from `first`. */
export const inboxParams = (first: number): string =>
  COLUMNS.map(([, type], i) => `$${first + i}::${type}[]`).join(', ')

/**
 * A number array as a PostgreSQL array literal. The driver's generic encoding quotes and regex-escapes
 * every element; finite numbers need neither (String(n) is valid int8/float8 input: counts stay below 2^53).
 */
export const numberArray = (xs: number[]): string => `{${xs.join(',')}}`

const encode = (type: string, xs: unknown[]): unknown => (type === 'text' ? xs : numberArray(xs as number[]))

/** The values of INBOX_COLUMNS for one flush: one array per column. */
export const inboxValues = (rows: MinuteStats[], overflow: OverflowStats[]): unknown[] => [
  ...MINUTE_COLUMNS.map(([, type, value]) => encode(type, rows.map(value))),
  ...OVERFLOW_COLUMNS.map(([, type, value]) => encode(type, overflow.map(value))),
]

const C = ROW_MAX_COUNT
const B = ROW_MAX_BYTES

/**
 * Moves every committed inbox row into the minute tables: sums per key (each key is upserted once, in key
 * order), capped as the direct writes were. One statement, so it is atomic on its own.
 */
const FOLD = `WITH taken AS (
    DELETE FROM stats_inbox RETURNING ${INBOX_COLUMNS}
  ), minutes AS (
    INSERT INTO stats_minute AS t (service, environment, signature, level, minute, seen, kept, bytes, kept_bytes,
      plain_bytes)
    SELECT s, e, sig, lvl, m, least(${C}, sum(n)), least(${C}, sum(k)), least(${B}, sum(b)), least(${B}, sum(kb)),
      least(${B}, sum(pb))
    FROM taken, unnest(taken.service, taken.environment, taken.signature, taken.level, taken.minute, taken.seen,
      taken.kept, taken.bytes, taken.kept_bytes, taken.plain_bytes) AS u(s, e, sig, lvl, m, n, k, b, kb, pb)
    GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (service, environment, signature, level, minute) DO UPDATE SET
      seen = least(${C}, t.seen + excluded.seen),
      kept = least(${C}, t.kept + excluded.kept),
      bytes = least(${B}, t.bytes + excluded.bytes),
      kept_bytes = least(${B}, t.kept_bytes + excluded.kept_bytes),
      plain_bytes = least(${B}, coalesce(t.plain_bytes, t.bytes) + excluded.plain_bytes)
    RETURNING 1
  ), overflow AS (
    INSERT INTO stats_overflow_minute AS t (service, environment, minute, seen, kept, bytes, kept_bytes)
    SELECT s, e, m, least(${C}, sum(n)), least(${C}, sum(k)), least(${B}, sum(b)), least(${B}, sum(kb))
    FROM taken, unnest(taken.o_service, taken.o_environment, taken.o_minute, taken.o_seen, taken.o_kept,
      taken.o_bytes, taken.o_kept_bytes) AS u(s, e, m, n, k, b, kb)
    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (service, environment, minute) DO UPDATE SET
      seen = least(${C}, t.seen + excluded.seen),
      kept = least(${C}, t.kept + excluded.kept),
      bytes = least(${B}, t.bytes + excluded.bytes),
      kept_bytes = least(${B}, t.kept_bytes + excluded.kept_bytes)
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM taken)::int AS flushes, (SELECT count(*) FROM minutes)::int AS rows,
    (SELECT count(*) FROM overflow)::int AS overflow`

/**
 * Folds the inbox inside the caller's transaction, under the schema's fold lock (held to its end): waited
 * for (`wait`, before a read that must see every acknowledged batch), or skipped when another process
 * holds it.
 */
export async function foldInbox(
  db: pg.Pool | pg.PoolClient,
  schema: string,
  wait: boolean,
): Promise<FoldResult> {
  const lock = `logsieve:fold:${schema}`
  if (wait) await db.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [lock])
  else {
    const r = await db.query('SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS ok', [lock])
    if (r.rows[0]?.ok !== true) return { flushes: 0, rows: 0, overflow: 0 }
  }
  return (await db.query<FoldResult>({ name: 'foldInbox', text: FOLD })).rows[0]!
}
