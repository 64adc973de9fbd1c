// PostgreSQL storage (pg): the same Store as SQLite, shared by any number of server processes. Versions
// are assigned in the database (a row per service/environment, locked by its update), stats not yet used
// by a generation live in `pending_stats`, and stored versions and revoked keys are announced with
// NOTIFY. Connection failures surface as 503 errors; the pool and the listener reconnect by themselves.
import type { LevelName, Pin, Policy, Settings } from '@logsieve/core'
import pg from 'pg'
import { ApiError } from '../errors.js'
import type { Pending } from '../stats-aggregator.js'
import { HOUR_MAX_COUNT } from '../stats-limits.js'
import { PG_MIGRATIONS } from './pg-migrations.js'
import { mergePendingBodies, pendingBody } from './pg-pending-body.js'
import { foldInbox, INBOX_ARITY, INBOX_COLUMNS, inboxParams, inboxValues } from './pg-stats-inbox.js'
import { separationFromRow } from './separation-row.js'
import { sessionFromRow } from './session-row.js'
import type {
  ApiKeyRecord,
  FoldResult,
  InstanceReport,
  MinuteStats,
  OverflowStats,
  PatternColumns,
  PatternHour,
  PatternMeta,
  PatternPage,
  PatternPick,
  PatternRecord,
  PatternState,
  PatternTotals,
  PendingGroup,
  PinRecord,
  PolicySummary,
  Separation,
  SeparationRecord,
  SeriesPoint,
  ServiceRecord,
  SessionRecord,
  SharedStore,
  StoreEvents,
} from './types.js'

type Row = Record<string, unknown>
type Queryable = pg.Pool | pg.PoolClient

/** Columns of a pattern's rate state: NULL until a generation has seen the pattern. */
const STATE_COLUMNS = ['emaRate', 'bytesPerEvent', 'plainBytesPerEvent'] as const

// bigint columns hold ms timestamps and counts, all below 2^53: read them as numbers, not strings.
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === 20 ? Number : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
}

/** SQLSTATE classes that mean "the database is not reachable right now", not "this query is wrong". */
const UNAVAILABLE_STATES = /^(08|57P|53|40)/

const NODE_NET_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'EAI_AGAIN',
])
const PG_CONNECTION_MESSAGES =
  /connection terminated|timeout exceeded when trying to connect|connection error|not queryable|connection timeout/i

/** A connection failure (refused, terminated, timed out, server shutting down): a 503 for the API. */
function unavailable(err: unknown): boolean {
  const { code, message } = err as { code?: unknown; message?: unknown }
  if (typeof code === 'string') {
    if (NODE_NET_ERRORS.has(code)) return true
    if (/^[0-9A-Z]{5}$/.test(code)) return UNAVAILABLE_STATES.test(code)
  }
  return typeof message === 'string' && PG_CONNECTION_MESSAGES.test(message)
}

const byKey =
  <T>(key: (t: T) => string) =>
  (a: T, b: T) =>
    key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0
const metaKey = (r: PatternMeta) => `${r.service}\u0000${r.environment}\u0000${r.signature}${r.level}`

/** Parameters of WRITE_STATS after the inbox columns: pattern metadata, then pending stats. */
const META = 3 + INBOX_ARITY
const PENDING = META + 8

/**
 * One flush in one statement (its own transaction: one round trip). Minute and overflow rows go to the
 * inbox and pending stats to `pending_stats`, inserts no other replica waits for; pattern metadata, rare
 * (see the aggregator), is upserted.
 */
const WRITE_STATS = `WITH inbox AS (
    INSERT INTO stats_inbox (at, ${INBOX_COLUMNS}) SELECT $1::int8, ${inboxParams(3)} WHERE $2::bool
  ), meta AS (
    INSERT INTO patterns (service, environment, signature, level, template, example, first_seen, last_seen)
    SELECT * FROM unnest($${META}::text[], $${META + 1}::text[], $${META + 2}::text[], $${META + 3}::text[],
      $${META + 4}::text[], $${META + 5}::text[], $${META + 6}::int8[], $${META + 7}::int8[])
    ON CONFLICT (service, environment, signature, level) DO UPDATE SET template = excluded.template,
      example = coalesce(excluded.example, patterns.example),
      first_seen = least(patterns.first_seen, excluded.first_seen),
      last_seen = greatest(patterns.last_seen, excluded.last_seen)
  )
  INSERT INTO pending_stats (service, environment, at, body)
  SELECT s, e, $1::int8, b FROM unnest($${PENDING}::text[], $${PENDING + 1}::text[], $${PENDING + 2}::text[]) AS t(s, e, b)`

const keyFromRow = (r: Row): ApiKeyRecord => ({
  id: r.id as string,
  name: r.name as string,
  scope: r.scope as ApiKeyRecord['scope'],
  services: r.services === null ? null : (JSON.parse(r.services as string) as string[]),
  hash: r.hash as string,
  createdAt: r.created_at as number,
  revokedAt: (r.revoked_at as number | null) ?? null,
})

const pinFromRow = (r: Row): PinRecord => {
  const pin: PinRecord = {
    id: r.id as number,
    service: r.service as string,
    signature: r.signature as string,
    rate: r.rate as number,
    reason: r.reason as string,
    author: (r.author as string | null) ?? undefined,
    createdAt: r.created_at as string,
    expiresAt: (r.expires_at as string | null) ?? null,
  }
  if (r.level !== null) pin.level = r.level as LevelName
  return pin
}

const summaryOf = (p: Policy): PolicySummary => ({
  version: p.version,
  source: p.source,
  author: p.author,
  reason: p.reason,
  createdAt: p.createdAt,
  rules: p.rules.length,
  projection: p.projection,
})

export interface PostgresStoreOptions {
  /** Connections in the pool. @default 10 */
  poolSize?: number
  /** How long a query waits for a connection before answering 503. @default 2000 */
  connectTimeoutMs?: number
}

/** Health shared by a store and the transaction-bound stores made from it. */
interface Shared {
  pool: pg.Pool
  url: string
  /** The schema of the tables; notifications and locks are scoped to it (deployments may share a database). */
  schema: string
  channel: string
  healthy: boolean
  listener: pg.Client | undefined
  /** Whether `listen` was called, and whether its connection is up now. */
  listenStarted: boolean
  listening: boolean
  closed: boolean
}

/** Applies pending migrations under a lock, so replicas starting together migrate once. */
async function migrate(pool: pg.Pool, schema: string): Promise<void> {
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
      `logsieve:migrate:${schema}`,
    ])
    await client.query('CREATE TABLE IF NOT EXISTS logsieve_schema (version integer NOT NULL)')
    const r = await client.query('SELECT version FROM logsieve_schema')
    const current = (r.rows[0]?.version as number | undefined) ?? 0
    if (r.rowCount === 0) await client.query('INSERT INTO logsieve_schema (version) VALUES (0)')
    for (let v = current; v < PG_MIGRATIONS.length; v++) await client.query(PG_MIGRATIONS[v]!)
    await client.query('UPDATE logsieve_schema SET version = $1', [Math.max(current, PG_MIGRATIONS.length)])
    await client.query('COMMIT')
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {})
    throw err
  } finally {
    client.release()
  }
}

export class PostgresStore implements SharedStore {
  readonly shared = true as const

  private constructor(
    private readonly s: Shared,
    /** Set on a store bound to one transaction (`exclusive`). */
    private readonly client?: pg.PoolClient,
  ) {}

  /** Connects, applies migrations and returns the store; throws when the database cannot be reached. */
  static async open(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const pool = new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 2000,
      keepAlive: true,
      types,
    })
    // An idle connection dropped by the server emits here; without a handler it would crash the process.
    pool.on('error', () => {})
    let schema: string
    try {
      schema = (await pool.query<{ s: string }>('SELECT current_schema() AS s')).rows[0]!.s
      await migrate(pool, schema)
    } catch (err) {
      await pool.end().catch(() => {})
      throw err
    }
    return new PostgresStore({
      pool,
      url,
      schema,
      channel: `logsieve:${schema}`,
      healthy: true,
      listener: undefined,
      listenStarted: false,
      listening: false,
      closed: false,
    })
  }

  private async q(text: string, values?: unknown[], name?: string): Promise<pg.QueryResult<Row>> {
    try {
      const r = await (this.client ?? this.s.pool).query<Row>(
        name ? { name, text, values } : { text, values },
      )
      this.s.healthy = true
      return r
    } catch (err) {
      throw this.mapError(err)
    }
  }

  private mapError(err: unknown): unknown {
    if (err instanceof ApiError || !unavailable(err)) return err
    this.s.healthy = false
    const e = new ApiError(503, 'LOGSIEVE_DB_UNAVAILABLE', 'the database is unavailable; retry later')
    e.cause = err
    return e
  }

  /** Runs `fn` in a transaction (or inside the one this store is bound to). */
  private async tx<T>(fn: (db: Queryable) => Promise<T>): Promise<T> {
    if (this.client) return fn(this.client)
    let client: pg.PoolClient
    try {
      client = await this.s.pool.connect()
    } catch (err) {
      throw this.mapError(err)
    }
    let broken = false
    // A connection cut between two queries of the transaction emits here; unhandled it would crash.
    const onError = (): void => {
      broken = true
    }
    client.on('error', onError)
    try {
      await client.query('BEGIN')
      const out = await fn(client)
      await client.query('COMMIT')
      this.s.healthy = true
      return out
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {
        broken = true
      })
      throw this.mapError(err)
    } finally {
      client.off('error', onError)
      client.release(broken)
    }
  }

  async exclusive<T>(service: string, environment: string, fn: (tx: SharedStore) => Promise<T>): Promise<T> {
    return this.locked(service, environment, true, fn) as Promise<T>
  }

  async tryExclusive<T>(
    service: string,
    environment: string,
    fn: (tx: SharedStore) => Promise<T>,
  ): Promise<T | undefined> {
    return this.locked(service, environment, false, fn)
  }

  /** A transaction holding the group's advisory lock: waited for, or (wait = false) given up if taken. */
  private locked<T>(
    service: string,
    environment: string,
    wait: boolean,
    fn: (tx: SharedStore) => Promise<T>,
  ): Promise<T | undefined> {
    if (this.client) throw new Error('exclusive() cannot nest')
    const lock = `logsieve:generate:${JSON.stringify([this.s.schema, service, environment])}`
    return this.tx(async (db) => {
      if (wait) await db.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [lock])
      else {
        const r = await db.query('SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS ok', [lock])
        if (r.rows[0]?.ok !== true) return undefined
      }
      return fn(new PostgresStore(this.s, db as pg.PoolClient))
    })
  }

  async insertKey(key: ApiKeyRecord): Promise<void> {
    await this.q(
      `INSERT INTO api_keys (id, name, scope, services, hash, created_at, revoked_at)
       VALUES ($1, $2, $3, $4, $5, $6, NULL)`,
      [
        key.id,
        key.name,
        key.scope,
        key.services === null ? null : JSON.stringify(key.services),
        key.hash,
        key.createdAt,
      ],
    )
  }
  async getKey(id: string): Promise<ApiKeyRecord | undefined> {
    const r = await this.q('SELECT * FROM api_keys WHERE id = $1', [id], 'getKey')
    return r.rows[0] && keyFromRow(r.rows[0])
  }
  async listKeys(): Promise<ApiKeyRecord[]> {
    return (await this.q('SELECT * FROM api_keys ORDER BY created_at, id')).rows.map(keyFromRow)
  }
  async revokeKey(id: string, at: number): Promise<boolean> {
    return this.tx(async (db) => {
      const r = await db.query('UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [
        at,
        id,
      ])
      if (r.rowCount)
        await db.query('SELECT pg_notify($1, $2)', [this.s.channel, JSON.stringify({ t: 'keys' })])
      return (r.rowCount ?? 0) > 0
    })
  }
  async hasAdminKey(): Promise<boolean> {
    const r = await this.q(`SELECT 1 FROM api_keys WHERE scope = 'admin' AND revoked_at IS NULL LIMIT 1`)
    return r.rowCount! > 0
  }

  /** Folds the stats inbox into the minute tables unless another process is folding it right now. */
  async foldStats(): Promise<FoldResult> {
    return this.tx((db) => foldInbox(db, this.s.schema, false))
  }

  /** Before a read of minute stats: every batch acknowledged so far is folded (waiting for a running fold). */
  private async folded(): Promise<void> {
    await this.tx((db) => foldInbox(db, this.s.schema, true))
  }

  async writeStats(
    rows: MinuteStats[],
    patterns: PatternMeta[],
    pending: PendingGroup[] = [],
    overflow: OverflowStats[] = [],
  ): Promise<void> {
    if (rows.length === 0 && patterns.length === 0 && pending.length === 0 && overflow.length === 0) return
    // Metadata writers lock rows in the same (sorted) order, so concurrent replicas queue instead of deadlocking.
    const m = [...patterns].sort(byKey(metaKey))
    await this.q(
      WRITE_STATS,
      [
        Date.now(),
        rows.length + overflow.length > 0,
        ...inboxValues(rows, overflow),
        m.map((x) => x.service),
        m.map((x) => x.environment),
        m.map((x) => x.signature),
        m.map((x) => x.level),
        m.map((x) => x.template),
        m.map((x) => x.example),
        m.map((x) => x.firstSeen),
        m.map((x) => x.lastSeen),
        pending.map((g) => g.service),
        pending.map((g) => g.environment),
        pending.map((g) => pendingBody(g.pending)),
      ],
      'writeStats',
    )
  }

  async takePending(
    service: string,
    environment: string,
    now: number,
    peek = false,
  ): Promise<Pending | undefined> {
    return this.tx(async (db) => {
      const taken = await db.query(
        'SELECT at FROM generation_taken WHERE service = $1 AND environment = $2',
        [service, environment],
      )
      const since = (taken.rows[0]?.at as number | undefined) ?? undefined
      const r = peek
        ? await db.query(
            'SELECT body FROM pending_stats WHERE service = $1 AND environment = $2 ORDER BY id',
            [service, environment],
          )
        : await db.query('DELETE FROM pending_stats WHERE service = $1 AND environment = $2 RETURNING body', [
            service,
            environment,
          ])
      if (!peek) {
        await db.query(
          `INSERT INTO generation_taken (service, environment, at) VALUES ($1, $2, $3)
           ON CONFLICT (service, environment) DO UPDATE SET at = excluded.at`,
          [service, environment, now],
        )
      }
      if (r.rowCount === 0) return undefined
      return mergePendingBodies(
        r.rows.map((x) => x.body as string),
        since,
      )
    })
  }

  async hasPending(service: string, environment: string): Promise<boolean> {
    const r = await this.q('SELECT 1 FROM pending_stats WHERE service = $1 AND environment = $2 LIMIT 1', [
      service,
      environment,
    ])
    return (r.rowCount ?? 0) > 0
  }

  async pendingGroups(): Promise<Array<{ service: string; environment: string }>> {
    const r = await this.q('SELECT DISTINCT service, environment FROM pending_stats ORDER BY 1, 2')
    return r.rows as Array<{ service: string; environment: string }>
  }

  async listPatterns(
    service: string,
    environment: string,
    page?: PatternPage | PatternPick,
  ): Promise<PatternRecord[]> {
    const r = !page
      ? await this.q(
          'SELECT * FROM patterns WHERE service = $1 AND environment = $2 ORDER BY signature, level',
          [service, environment],
        )
      : 'signatures' in page
        ? await this.q(
            `SELECT * FROM patterns WHERE service = $1 AND environment = $2 AND signature = ANY($3::text[])
             ORDER BY signature, level`,
            [service, environment, page.signatures],
          )
        : await this.q(
            `SELECT * FROM patterns WHERE service = $1 AND environment = $2 AND (signature, level) > ($3, $4)
             ORDER BY signature, level LIMIT $5`,
            [service, environment, page.after?.signature ?? '', page.after?.level ?? '', page.limit],
          )
    return r.rows.map((x) => ({
      service: x.service as string,
      environment: x.environment as string,
      signature: x.signature as string,
      level: x.level as LevelName,
      template: x.template as string,
      example: (x.example as string | null) ?? null,
      firstSeen: x.first_seen as number,
      lastSeen: x.last_seen as number,
      emaRate: (x.ema_rate as number | null) ?? undefined,
      emaVar: (x.ema_var as number | null) ?? undefined,
      bytesPerEvent: (x.bytes_per_event as number | null) ?? undefined,
      plainBytesPerEvent: (x.plain_bytes_per_event as number | null) ?? undefined,
      samples: (x.samples as number | null) ?? undefined,
      updatedAt: (x.state_at as number | null) ?? undefined,
    }))
  }
  async updatePatternStates(service: string, environment: string, states: PatternState[]): Promise<void> {
    if (states.length === 0) return
    const s = [...states].sort(byKey((x) => x.signature + x.level))
    await this.q(
      `UPDATE patterns p SET ema_rate = t.r, ema_var = t.v, bytes_per_event = t.b, samples = t.n, state_at = t.at,
         plain_bytes_per_event = t.pb
       FROM unnest($3::text[], $4::text[], $5::float8[], $6::float8[], $7::float8[], $8::int8[], $9::int8[],
         $10::float8[]) AS t(sig, lvl, r, v, b, n, at, pb)
       WHERE p.service = $1 AND p.environment = $2 AND p.signature = t.sig AND p.level = t.lvl`,
      [
        service,
        environment,
        s.map((x) => x.signature),
        s.map((x) => x.level),
        s.map((x) => x.emaRate),
        s.map((x) => x.emaVar),
        s.map((x) => x.bytesPerEvent),
        s.map((x) => x.samples),
        s.map((x) => x.updatedAt),
        s.map((x) => x.plainBytesPerEvent),
      ],
    )
  }
  async patternColumns(service: string, environment: string): Promise<PatternColumns[]> {
    const r = await this.q(
      `SELECT signature, level, template, first_seen AS "firstSeen", last_seen AS "lastSeen",
         ema_rate AS "emaRate", bytes_per_event AS "bytesPerEvent", plain_bytes_per_event AS "plainBytesPerEvent"
       FROM patterns WHERE service = $1 AND environment = $2 ORDER BY signature, level`,
      [service, environment],
    )
    // SQL NULL reads as null; the interface says "absent" (undefined) for a pattern without rate state.
    for (const x of r.rows) for (const k of STATE_COLUMNS) if (x[k] === null) x[k] = undefined
    return r.rows as unknown as PatternColumns[]
  }
  async patternTotals(
    service: string,
    environment: string,
    sinceMs: number,
    signatures?: string[],
  ): Promise<PatternTotals[]> {
    await this.folded()
    const r = await this.q(
      `SELECT signature, level, sum(seen)::float8 AS seen, sum(kept)::float8 AS kept, sum(bytes) AS bytes,
         sum(kept_bytes) AS "keptBytes", sum(coalesce(plain_bytes, bytes)) AS "plainBytes" FROM stats_minute
       WHERE service = $1 AND environment = $2 AND minute >= $3 ${signatures ? 'AND signature = ANY($4::text[])' : ''}
       GROUP BY signature, level`,
      signatures ? [service, environment, sinceMs, signatures] : [service, environment, sinceMs],
    )
    return r.rows as unknown as PatternTotals[]
  }
  async listServices(): Promise<ServiceRecord[]> {
    const r =
      await this.q(`SELECT service, environment, min(first_seen) AS "firstSeen", max(last_seen) AS "lastSeen",
      count(*) AS patterns FROM patterns GROUP BY service, environment ORDER BY service, environment`)
    return r.rows as unknown as ServiceRecord[]
  }

  async writeInstances(reports: InstanceReport[]): Promise<void> {
    if (reports.length === 0) return
    // Sorted, so replicas writing the same instances lock them in one order (no deadlock).
    const r = [...reports].sort(byKey((x) => `${x.service}\u0000${x.environment}\u0000${x.instance}`))
    await this.q(
      `INSERT INTO instances (service, environment, instance, last_report)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int8[])
       ON CONFLICT (service, environment, instance) DO UPDATE SET
         last_report = greatest(instances.last_report, excluded.last_report)`,
      [r.map((x) => x.service), r.map((x) => x.environment), r.map((x) => x.instance), r.map((x) => x.at)],
      'writeInstances',
    )
  }

  async countInstances(service: string, environment: string, sinceMs: number): Promise<number> {
    const r = await this.q(
      'SELECT count(*)::int AS n FROM instances WHERE service = $1 AND environment = $2 AND last_report >= $3',
      [service, environment, sinceMs],
    )
    return r.rows[0]!.n as number
  }

  async pruneInstances(beforeMs: number): Promise<number> {
    return (await this.q('DELETE FROM instances WHERE last_report < $1', [beforeMs])).rowCount ?? 0
  }

  async overflowTotals(sinceMs: number): Promise<Array<Omit<OverflowStats, 'minute'>>> {
    await this.folded()
    const r = await this.q(
      `SELECT service, environment, sum(seen)::float8 AS seen, sum(kept)::float8 AS kept,
         sum(bytes) AS bytes, sum(kept_bytes) AS "keptBytes" FROM stats_overflow_minute WHERE minute >= $1
       GROUP BY service, environment`,
      [sinceMs],
    )
    return r.rows as unknown as Array<Omit<OverflowStats, 'minute'>>
  }

  async latestPolicy(service: string, environment: string): Promise<Policy | undefined> {
    const r = await this.q(
      'SELECT body FROM policies WHERE service = $1 AND environment = $2 ORDER BY version DESC LIMIT 1',
      [service, environment],
      'latestPolicy',
    )
    return r.rows[0] && (JSON.parse(r.rows[0].body as string) as Policy)
  }
  async getPolicy(service: string, environment: string, version: number): Promise<Policy | undefined> {
    const r = await this.q(
      'SELECT body FROM policies WHERE service = $1 AND environment = $2 AND version = $3',
      [service, environment, version],
    )
    return r.rows[0] && (JSON.parse(r.rows[0].body as string) as Policy)
  }
  async listPolicies(service: string, environment: string, limit: number): Promise<PolicySummary[]> {
    const r = await this.q(
      'SELECT body FROM policies WHERE service = $1 AND environment = $2 ORDER BY version DESC LIMIT $3',
      [service, environment, limit],
    )
    return r.rows.map((x) => summaryOf(JSON.parse(x.body as string) as Policy))
  }
  async insertPolicy(policy: Omit<Policy, 'version'>): Promise<Policy> {
    return this.tx(async (db) => {
      // The head row's lock orders concurrent writers; a rolled-back transaction gives its number back.
      const head = await db.query(
        `INSERT INTO policy_heads (service, environment, version) VALUES ($1, $2, 1)
         ON CONFLICT (service, environment) DO UPDATE SET version = policy_heads.version + 1 RETURNING version`,
        [policy.service, policy.environment],
      )
      const stored = { ...policy, version: head.rows[0]!.version as number } as Policy
      await db.query(
        `INSERT INTO policies (service, environment, version, source, author, reason, created_at, body)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          stored.service,
          stored.environment,
          stored.version,
          stored.source,
          stored.author ?? null,
          stored.reason ?? null,
          stored.createdAt ?? new Date().toISOString(),
          JSON.stringify(stored),
        ],
      )
      // Delivered on commit only, to every listening replica (this one included).
      await db.query('SELECT pg_notify($1, $2)', [
        this.s.channel,
        JSON.stringify({ t: 'policy', s: stored.service, e: stored.environment, v: stored.version }),
      ])
      return stored
    })
  }

  async getSettings(service: string): Promise<Settings | undefined> {
    const r = await this.q('SELECT body FROM settings WHERE service = $1', [service])
    return r.rows[0] && (JSON.parse(r.rows[0].body as string) as Settings)
  }
  async putSettings(service: string, settings: Settings): Promise<void> {
    await this.q(
      `INSERT INTO settings (service, body, updated_at) VALUES ($1, $2, $3)
       ON CONFLICT (service) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at`,
      [service, JSON.stringify(settings), Date.now()],
    )
  }

  async listPins(service: string): Promise<PinRecord[]> {
    return (await this.q('SELECT * FROM pins WHERE service = $1 ORDER BY id', [service])).rows.map(pinFromRow)
  }
  async insertPin(service: string, pin: Pin, author: string | undefined, at: number): Promise<PinRecord> {
    const r = await this.q(
      `INSERT INTO pins (service, signature, level, rate, reason, author, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
      [
        service,
        pin.signature,
        pin.level ?? null,
        pin.rate,
        pin.reason,
        author ?? null,
        new Date(at).toISOString(),
        pin.expiresAt ?? null,
      ],
    )
    return pinFromRow(r.rows[0]!)
  }
  async deletePin(service: string, id: number): Promise<boolean> {
    return (
      ((await this.q('DELETE FROM pins WHERE service = $1 AND id = $2', [service, id])).rowCount ?? 0) > 0
    )
  }

  async listSeparations(service: string, environment: string): Promise<SeparationRecord[]> {
    const r = await this.q(
      'SELECT * FROM pattern_separations WHERE service = $1 AND environment = $2 ORDER BY id',
      [service, environment],
    )
    return r.rows.map(separationFromRow)
  }
  async insertSeparation(
    service: string,
    environment: string,
    separation: Separation,
    author: string | undefined,
    at: number,
  ): Promise<SeparationRecord> {
    const r = await this.q(
      `INSERT INTO pattern_separations (service, environment, kind, pattern, signatures, author, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
      [
        service,
        environment,
        separation.kind,
        separation.pattern ?? null,
        JSON.stringify(separation.signatures),
        author ?? null,
        new Date(at).toISOString(),
      ],
    )
    return separationFromRow(r.rows[0]!)
  }
  async deleteSeparation(service: string, environment: string, id: number): Promise<boolean> {
    const r = await this.q(
      'DELETE FROM pattern_separations WHERE service = $1 AND environment = $2 AND id = $3',
      [service, environment, id],
    )
    return (r.rowCount ?? 0) > 0
  }

  async timeSeries(
    service: string,
    environment: string,
    resolution: 'minute' | 'hour',
    sinceMs: number,
  ): Promise<SeriesPoint[]> {
    await this.folded()
    const sums = `sum(seen)::float8 AS seen, sum(kept)::float8 AS kept, sum(bytes) AS bytes,
      sum(kept_bytes) AS "keptBytes", sum(coalesce(plain_bytes, bytes)) AS "plainBytes"`
    const text =
      resolution === 'minute'
        ? `SELECT minute AS t, ${sums} FROM stats_minute
           WHERE service = $1 AND environment = $2 AND minute >= $3 GROUP BY minute ORDER BY minute`
        : `SELECT t, ${sums} FROM (
             SELECT hour AS t, seen, kept, bytes, kept_bytes, plain_bytes FROM stats_hour
             WHERE service = $1 AND environment = $2 AND hour >= $3
             UNION ALL
             SELECT (minute / 3600000) * 3600000, seen, kept, bytes, kept_bytes, plain_bytes FROM stats_minute
             WHERE service = $1 AND environment = $2 AND minute >= $3
           ) AS s GROUP BY t ORDER BY t`
    return (await this.q(text, [service, environment, sinceMs])).rows as unknown as SeriesPoint[]
  }
  async patternHours(
    service: string,
    environment: string,
    signatures: string[],
    sinceMs: number,
  ): Promise<PatternHour[]> {
    if (signatures.length === 0) return []
    await this.folded()
    const r = await this.q(
      `SELECT signature, level, (minute / 3600000) * 3600000 AS hour, sum(seen)::float8 AS seen
       FROM stats_minute WHERE service = $1 AND environment = $2 AND minute >= $3 AND signature = ANY($4::text[])
       GROUP BY 1, 2, 3`,
      [service, environment, sinceMs, signatures],
    )
    return r.rows as unknown as PatternHour[]
  }

  async insertSession(session: SessionRecord): Promise<void> {
    await this.q(
      `INSERT INTO ui_sessions (id_hash, key_id, name, scope, services, csrf, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        session.idHash,
        session.keyId,
        session.name,
        session.scope,
        session.services === null ? null : JSON.stringify(session.services),
        session.csrf,
        session.createdAt,
        session.expiresAt,
      ],
    )
  }
  async getSession(idHash: string): Promise<SessionRecord | undefined> {
    const r = (await this.q('SELECT * FROM ui_sessions WHERE id_hash = $1', [idHash], 'getSession')).rows[0]
    return r && sessionFromRow(r)
  }
  async deleteSession(idHash: string): Promise<void> {
    await this.q('DELETE FROM ui_sessions WHERE id_hash = $1', [idHash])
  }
  async deleteExpiredSessions(now: number): Promise<number> {
    return (await this.q('DELETE FROM ui_sessions WHERE expires_at <= $1', [now])).rowCount ?? 0
  }

  async rollup(
    minuteBefore: number,
    hourBefore: number,
  ): Promise<{ rolledUp: number; deleted: number; pruned: number }> {
    return this.tx(async (db) => {
      // Minutes still in the inbox are rolled up with the others, not re-created after their deletion.
      await foldInbox(db, this.s.schema, true)
      await db.query(
        `INSERT INTO stats_hour (service, environment, signature, level, hour, seen, kept, bytes, kept_bytes,
           plain_bytes)
         SELECT service, environment, signature, level, (minute / 3600000) * 3600000,
           least(${HOUR_MAX_COUNT}, sum(seen)), least(${HOUR_MAX_COUNT}, sum(kept)),
           sum(bytes), sum(kept_bytes), sum(coalesce(plain_bytes, bytes)) FROM stats_minute WHERE minute < $1
         GROUP BY 1, 2, 3, 4, 5
         ORDER BY 1, 2, 3, 4, 5
         ON CONFLICT (service, environment, signature, level, hour) DO UPDATE SET
           seen = least(${HOUR_MAX_COUNT}, stats_hour.seen + excluded.seen),
           kept = least(${HOUR_MAX_COUNT}, stats_hour.kept + excluded.kept),
           bytes = stats_hour.bytes + excluded.bytes, kept_bytes = stats_hour.kept_bytes + excluded.kept_bytes,
           plain_bytes = coalesce(stats_hour.plain_bytes, stats_hour.bytes) + excluded.plain_bytes`,
        [minuteBefore],
      )
      const rolledUp =
        (await db.query('DELETE FROM stats_minute WHERE minute < $1', [minuteBefore])).rowCount ?? 0
      const deleted = (await db.query('DELETE FROM stats_hour WHERE hour < $1', [hourBefore])).rowCount ?? 0
      // Stats no generation took within the retention window (generation off) are dropped with the minutes.
      await db.query('DELETE FROM pending_stats WHERE at < $1', [minuteBefore])
      await db.query('DELETE FROM stats_overflow_minute WHERE minute < $1', [minuteBefore])
      const pruned =
        (await db.query('DELETE FROM patterns WHERE last_seen < $1', [minuteBefore])).rowCount ?? 0
      return { rolledUp, deleted, pruned }
    })
  }

  /** One LISTEN connection, reconnected with backoff while the store is open. */
  listen(events: StoreEvents): Promise<void> {
    const s = this.s
    s.listenStarted = true
    let delay = 100
    let first: () => void = () => {}
    const started = new Promise<void>((resolve) => {
      first = resolve
    })
    const connect = async (): Promise<void> => {
      if (s.closed) return
      const client = new pg.Client({
        connectionString: s.url,
        keepAlive: true,
        connectionTimeoutMillis: 2000,
      })
      let retried = false
      const retry = (): void => {
        if (retried) return
        retried = true
        s.listening = false
        s.listener = undefined
        client.end().catch(() => {})
        if (!s.closed) setTimeout(() => void connect(), delay).unref()
        delay = Math.min(delay * 2, 2000)
      }
      client.on('error', retry)
      client.on('end', retry)
      client.on('notification', (n) => {
        if (n.channel !== s.channel || !n.payload) return
        const m = JSON.parse(n.payload) as { t: string; s: string; e: string; v: number }
        if (m.t === 'policy') events.policy(m.s, m.e, m.v)
        else if (m.t === 'keys') events.keys()
      })
      try {
        await client.connect()
        await client.query(`LISTEN ${client.escapeIdentifier(s.channel)}`)
      } catch {
        retry()
        return
      }
      if (s.closed) return void client.end().catch(() => {})
      const wasDown = s.listener === undefined && delay > 100
      s.listener = client
      s.listening = true
      s.healthy = true
      delay = 100
      // Notifications sent while nobody listened are lost: the caller reloads what it holds.
      if (wasDown) events.resync()
      first()
    }
    void connect()
    return started
  }

  ready(): boolean {
    return this.s.healthy && (!this.s.listenStarted || this.s.listening)
  }

  async close(): Promise<void> {
    if (this.client || this.s.closed) return
    this.s.closed = true
    await this.s.listener?.end().catch(() => {})
    await this.s.pool.end()
  }
}
