// SQLite storage (better-sqlite3, WAL): statements prepared once, every multi-row write in one transaction.
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import type { LevelName, Pin, Policy, Settings } from '@logsieve/core'
import Database from 'better-sqlite3'
import { HOUR_MAX_COUNT, ROW_MAX_BYTES, ROW_MAX_COUNT } from '../stats-limits.js'
import { MIGRATIONS } from './migrations.js'
import { separationFromRow } from './separation-row.js'
import { sessionFromRow } from './session-row.js'
import type {
  ApiKeyRecord,
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
  Store,
} from './types.js'

type Row = Record<string, unknown>
type Db = Database.Database

/** Opens (creating when needed) the database file and applies pending migrations. */
export function openDatabase(path: string): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const db = new Database(path, { timeout: 5000 })
  db.pragma('journal_mode = WAL')
  // NORMAL in WAL mode survives process crashes (SIGKILL); only an OS crash may lose the last commits.
  db.pragma('synchronous = NORMAL')
  db.pragma('foreign_keys = ON')
  const current = db.pragma('user_version', { simple: true }) as number
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!)
      db.pragma(`user_version = ${v + 1}`)
    }).immediate()
  }
  return db
}

export const SCHEMA_VERSION = MIGRATIONS.length

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

export class SqliteStore implements Store {
  /** @internal better-sqlite3's handle: kept out of the published types (they need no better-sqlite3 types). */
  readonly db: Db
  private readonly s: Record<string, Database.Statement>
  private readonly writeStatsTx: Database.Transaction<
    (rows: MinuteStats[], patterns: PatternMeta[], overflow: OverflowStats[]) => void
  >
  private readonly updateStatesTx: Database.Transaction<
    (service: string, environment: string, states: PatternState[]) => void
  >
  private readonly insertPolicyTx: Database.Transaction<(policy: Omit<Policy, 'version'>) => Policy>
  private readonly writeInstancesTx: Database.Transaction<(reports: InstanceReport[]) => void>

  constructor(path: string) {
    const db = openDatabase(path)
    this.db = db
    const p = (sql: string) => db.prepare(sql)
    this.s = {
      insertKey: p(`INSERT INTO api_keys (id, name, scope, services, hash, created_at, revoked_at)
        VALUES (@id, @name, @scope, @services, @hash, @createdAt, NULL)`),
      getKey: p('SELECT * FROM api_keys WHERE id = ?'),
      listKeys: p('SELECT * FROM api_keys ORDER BY created_at'),
      revokeKey: p('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
      hasAdmin: p(`SELECT 1 FROM api_keys WHERE scope = 'admin' AND revoked_at IS NULL LIMIT 1`),
      addMinute:
        p(`INSERT INTO stats_minute (service, environment, signature, level, minute, seen, kept, bytes, kept_bytes,
          plain_bytes)
        VALUES (@service, @environment, @signature, @level, @minute, @seen, @kept, @bytes, @keptBytes, @plainBytes)
        ON CONFLICT DO UPDATE SET seen = min(${ROW_MAX_COUNT}, seen + excluded.seen),
          kept = min(${ROW_MAX_COUNT}, kept + excluded.kept), bytes = min(${ROW_MAX_BYTES}, bytes + excluded.bytes),
          kept_bytes = min(${ROW_MAX_BYTES}, kept_bytes + excluded.kept_bytes),
          plain_bytes = min(${ROW_MAX_BYTES}, coalesce(plain_bytes, bytes) + excluded.plain_bytes)`),
      addOverflow:
        p(`INSERT INTO stats_overflow_minute (service, environment, minute, seen, kept, bytes, kept_bytes)
        VALUES (@service, @environment, @minute, @seen, @kept, @bytes, @keptBytes)
        ON CONFLICT DO UPDATE SET seen = min(${ROW_MAX_COUNT}, seen + excluded.seen),
          kept = min(${ROW_MAX_COUNT}, kept + excluded.kept), bytes = min(${ROW_MAX_BYTES}, bytes + excluded.bytes),
          kept_bytes = min(${ROW_MAX_BYTES}, kept_bytes + excluded.kept_bytes)`),
      overflowTotals: p(`SELECT service, environment, total(seen) AS seen, total(kept) AS kept,
        total(bytes) AS bytes, total(kept_bytes) AS keptBytes FROM stats_overflow_minute WHERE minute >= ?
        GROUP BY service, environment`),
      upsertInstance: p(`INSERT INTO instances (service, environment, instance, last_report)
        VALUES (@service, @environment, @instance, @at)
        ON CONFLICT (service, environment, instance) DO UPDATE SET
          last_report = max(last_report, excluded.last_report)`),
      countInstances: p(
        'SELECT count(*) FROM instances WHERE service = ? AND environment = ? AND last_report >= ?',
      ).pluck(),
      pruneInstances: p('DELETE FROM instances WHERE last_report < ?'),
      upsertPattern:
        p(`INSERT INTO patterns (service, environment, signature, level, template, example, first_seen, last_seen)
        VALUES (@service, @environment, @signature, @level, @template, @example, @firstSeen, @lastSeen)
        ON CONFLICT DO UPDATE SET template = excluded.template, example = coalesce(excluded.example, example),
          first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen)`),
      listPatterns: p(
        'SELECT * FROM patterns WHERE service = ? AND environment = ? ORDER BY signature, level',
      ),
      pickPatterns: p(`SELECT * FROM patterns WHERE service = ? AND environment = ?
        AND signature IN (SELECT value FROM json_each(?)) ORDER BY signature, level`),
      patternColumns: p(`SELECT signature, level, template, first_seen, last_seen, ema_rate, bytes_per_event,
        plain_bytes_per_event FROM patterns WHERE service = ? AND environment = ? ORDER BY signature, level`),
      pagePatterns:
        p(`SELECT * FROM patterns WHERE service = ? AND environment = ? AND (signature, level) > (?, ?)
        ORDER BY signature, level LIMIT ?`),
      updateState:
        p(`UPDATE patterns SET ema_rate = @emaRate, ema_var = @emaVar, bytes_per_event = @bytesPerEvent,
        plain_bytes_per_event = @plainBytesPerEvent, samples = @samples, state_at = @updatedAt
        WHERE service = @service AND environment = @environment AND signature = @signature AND level = @level`),
      // total() sums in floating point: never an integer overflow, whatever older rows hold.
      totals: p(`SELECT signature, level, total(seen) AS seen, total(kept) AS kept, total(bytes) AS bytes,
        total(kept_bytes) AS keptBytes, total(coalesce(plain_bytes, bytes)) AS plainBytes FROM stats_minute
        WHERE service = ? AND environment = ? AND minute >= ? GROUP BY signature, level`),
      totalsOf: p(`SELECT signature, level, total(seen) AS seen, total(kept) AS kept, total(bytes) AS bytes,
        total(kept_bytes) AS keptBytes, total(coalesce(plain_bytes, bytes)) AS plainBytes FROM stats_minute
        WHERE service = ? AND environment = ? AND minute >= ? AND signature IN (SELECT value FROM json_each(?))
        GROUP BY signature, level`),
      services: p(`SELECT service, environment, min(first_seen) AS firstSeen, max(last_seen) AS lastSeen,
        count(*) AS patterns FROM patterns GROUP BY service, environment ORDER BY service, environment`),
      latestPolicy: p(
        `SELECT body FROM policies WHERE service = ? AND environment = ? ORDER BY version DESC LIMIT 1`,
      ),
      getPolicy: p('SELECT body FROM policies WHERE service = ? AND environment = ? AND version = ?'),
      listPolicies: p(
        `SELECT body FROM policies WHERE service = ? AND environment = ? ORDER BY version DESC LIMIT ?`,
      ),
      maxVersion: p('SELECT max(version) AS v FROM policies WHERE service = ? AND environment = ?'),
      insertPolicy:
        p(`INSERT INTO policies (service, environment, version, source, author, reason, created_at, body)
        VALUES (@service, @environment, @version, @source, @author, @reason, @createdAt, @body)`),
      getSettings: p('SELECT body FROM settings WHERE service = ?'),
      putSettings: p(`INSERT INTO settings (service, body, updated_at) VALUES (?, ?, ?)
        ON CONFLICT DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at`),
      listPins: p('SELECT * FROM pins WHERE service = ? ORDER BY id'),
      insertPin: p(`INSERT INTO pins (service, signature, level, rate, reason, author, created_at, expires_at)
        VALUES (@service, @signature, @level, @rate, @reason, @author, @createdAt, @expiresAt) RETURNING *`),
      deletePin: p('DELETE FROM pins WHERE service = ? AND id = ?'),
      listSeparations: p(
        'SELECT * FROM pattern_separations WHERE service = ? AND environment = ? ORDER BY id',
      ),
      insertSeparation: p(`INSERT INTO pattern_separations
        (service, environment, kind, pattern, signatures, author, created_at)
        VALUES (@service, @environment, @kind, @pattern, @signatures, @author, @createdAt) RETURNING *`),
      deleteSeparation: p('DELETE FROM pattern_separations WHERE service = ? AND environment = ? AND id = ?'),
      rollupHours:
        p(`INSERT INTO stats_hour (service, environment, signature, level, hour, seen, kept, bytes, kept_bytes,
          plain_bytes)
        SELECT service, environment, signature, level, (minute / 3600000) * 3600000,
          CAST(min(${HOUR_MAX_COUNT}, total(seen)) AS INTEGER), CAST(min(${HOUR_MAX_COUNT}, total(kept)) AS INTEGER),
          total(bytes), total(kept_bytes), total(coalesce(plain_bytes, bytes)) FROM stats_minute WHERE minute < ?
          GROUP BY 1, 2, 3, 4, 5
        ON CONFLICT DO UPDATE SET seen = min(${HOUR_MAX_COUNT}, seen + excluded.seen),
          kept = min(${HOUR_MAX_COUNT}, kept + excluded.kept), bytes = bytes + excluded.bytes,
          kept_bytes = kept_bytes + excluded.kept_bytes,
          plain_bytes = coalesce(plain_bytes, bytes) + excluded.plain_bytes`),
      seriesMinute: p(`SELECT minute AS t, sum(seen) AS seen, sum(kept) AS kept, sum(bytes) AS bytes,
        sum(kept_bytes) AS keptBytes, sum(coalesce(plain_bytes, bytes)) AS plainBytes FROM stats_minute
        WHERE service = @service AND environment = @environment AND minute >= @since GROUP BY minute ORDER BY minute`),
      seriesHour:
        p(`SELECT t, sum(seen) AS seen, sum(kept) AS kept, sum(bytes) AS bytes, sum(kept_bytes) AS keptBytes,
        sum(coalesce(plain_bytes, bytes)) AS plainBytes FROM (
          SELECT hour AS t, seen, kept, bytes, kept_bytes, plain_bytes FROM stats_hour
          WHERE service = @service AND environment = @environment AND hour >= @since
          UNION ALL
          SELECT (minute / 3600000) * 3600000, seen, kept, bytes, kept_bytes, plain_bytes FROM stats_minute
          WHERE service = @service AND environment = @environment AND minute >= @since
        ) GROUP BY t ORDER BY t`),
      patternHours: p(`SELECT signature, level, (minute / 3600000) * 3600000 AS hour, sum(seen) AS seen
        FROM stats_minute WHERE service = ? AND environment = ? AND minute >= ?
          AND signature IN (SELECT value FROM json_each(?)) GROUP BY 1, 2, 3`),
      insertSession:
        p(`INSERT INTO ui_sessions (id_hash, key_id, name, scope, services, csrf, created_at, expires_at)
        VALUES (@idHash, @keyId, @name, @scope, @services, @csrf, @createdAt, @expiresAt)`),
      getSession: p('SELECT * FROM ui_sessions WHERE id_hash = ?'),
      deleteSession: p('DELETE FROM ui_sessions WHERE id_hash = ?'),
      deleteExpiredSessions: p('DELETE FROM ui_sessions WHERE expires_at <= ?'),
      deleteMinutes: p('DELETE FROM stats_minute WHERE minute < ?'),
      deleteOverflow: p('DELETE FROM stats_overflow_minute WHERE minute < ?'),
      prunePatterns: p('DELETE FROM patterns WHERE last_seen < ?'),
      deleteHours: p('DELETE FROM stats_hour WHERE hour < ?'),
    }
    const s = this.s
    this.writeStatsTx = db.transaction(
      (rows: MinuteStats[], patterns: PatternMeta[], overflow: OverflowStats[]) => {
        for (const r of rows) s.addMinute!.run(r)
        for (const m of patterns) s.upsertPattern!.run(m)
        for (const o of overflow) s.addOverflow!.run(o)
      },
    )
    this.updateStatesTx = db.transaction((service: string, environment: string, states: PatternState[]) => {
      for (const st of states) s.updateState!.run({ ...st, service, environment })
    })
    this.writeInstancesTx = db.transaction((reports: InstanceReport[]) => {
      for (const r of reports) s.upsertInstance!.run(r)
    })
    this.insertPolicyTx = db.transaction((policy: Omit<Policy, 'version'>) => {
      const max = (s.maxVersion!.get(policy.service, policy.environment) as { v: number | null }).v ?? 0
      const stored = { ...policy, version: max + 1 } as Policy
      s.insertPolicy!.run({
        service: stored.service,
        environment: stored.environment,
        version: stored.version,
        source: stored.source,
        author: stored.author ?? null,
        reason: stored.reason ?? null,
        createdAt: stored.createdAt ?? new Date().toISOString(),
        body: JSON.stringify(stored),
      })
      return stored
    })
  }

  async insertKey(key: ApiKeyRecord): Promise<void> {
    this.s.insertKey!.run({ ...key, services: key.services === null ? null : JSON.stringify(key.services) })
  }
  async getKey(id: string): Promise<ApiKeyRecord | undefined> {
    const r = this.s.getKey!.get(id) as Row | undefined
    return r && keyFromRow(r)
  }
  async listKeys(): Promise<ApiKeyRecord[]> {
    return (this.s.listKeys!.all() as Row[]).map(keyFromRow)
  }
  async revokeKey(id: string, at: number): Promise<boolean> {
    return this.s.revokeKey!.run(at, id).changes > 0
  }
  async hasAdminKey(): Promise<boolean> {
    return this.s.hasAdmin!.get() !== undefined
  }

  async writeStats(
    rows: MinuteStats[],
    patterns: PatternMeta[],
    _pending?: PendingGroup[],
    overflow: OverflowStats[] = [],
  ): Promise<void> {
    this.writeStatsTx.immediate(rows, patterns, overflow)
  }
  async listPatterns(
    service: string,
    environment: string,
    page?: PatternPage | PatternPick,
  ): Promise<PatternRecord[]> {
    const found = !page
      ? this.s.listPatterns!.all(service, environment)
      : 'signatures' in page
        ? this.s.pickPatterns!.all(service, environment, JSON.stringify(page.signatures))
        : this.s.pagePatterns!.all(
            service,
            environment,
            page.after?.signature ?? '',
            page.after?.level ?? '',
            page.limit,
          )
    return (found as Row[]).map((r) => ({
      service: r.service as string,
      environment: r.environment as string,
      signature: r.signature as string,
      level: r.level as LevelName,
      template: r.template as string,
      example: (r.example as string | null) ?? null,
      firstSeen: r.first_seen as number,
      lastSeen: r.last_seen as number,
      emaRate: (r.ema_rate as number | null) ?? undefined,
      emaVar: (r.ema_var as number | null) ?? undefined,
      bytesPerEvent: (r.bytes_per_event as number | null) ?? undefined,
      plainBytesPerEvent: (r.plain_bytes_per_event as number | null) ?? undefined,
      samples: (r.samples as number | null) ?? undefined,
      updatedAt: (r.state_at as number | null) ?? undefined,
    }))
  }
  async updatePatternStates(service: string, environment: string, states: PatternState[]): Promise<void> {
    this.updateStatesTx.immediate(service, environment, states)
  }
  async patternColumns(service: string, environment: string): Promise<PatternColumns[]> {
    // Rows as arrays, made into objects here: half the CPU of better-sqlite3's row objects at 10,000 rows.
    const rows = this.s.patternColumns!.raw().all(service, environment) as Array<
      [string, LevelName, string, number, number, number | null, number | null, number | null]
    >
    return rows.map((r) => ({
      signature: r[0],
      level: r[1],
      template: r[2],
      firstSeen: r[3],
      lastSeen: r[4],
      emaRate: r[5] ?? undefined,
      bytesPerEvent: r[6] ?? undefined,
      plainBytesPerEvent: r[7] ?? undefined,
    }))
  }
  async patternTotals(
    service: string,
    environment: string,
    sinceMs: number,
    signatures?: string[],
  ): Promise<PatternTotals[]> {
    const found = signatures
      ? this.s.totalsOf!.all(service, environment, sinceMs, JSON.stringify(signatures))
      : this.s.totals!.all(service, environment, sinceMs)
    return found as PatternTotals[]
  }
  async listServices(): Promise<ServiceRecord[]> {
    return this.s.services!.all() as ServiceRecord[]
  }
  async writeInstances(reports: InstanceReport[]): Promise<void> {
    this.writeInstancesTx.immediate(reports)
  }
  async countInstances(service: string, environment: string, sinceMs: number): Promise<number> {
    return this.s.countInstances!.get(service, environment, sinceMs) as number
  }
  async pruneInstances(beforeMs: number): Promise<number> {
    return this.s.pruneInstances!.run(beforeMs).changes
  }
  async overflowTotals(sinceMs: number): Promise<Array<Omit<OverflowStats, 'minute'>>> {
    return this.s.overflowTotals!.all(sinceMs) as Array<Omit<OverflowStats, 'minute'>>
  }

  async latestPolicy(service: string, environment: string): Promise<Policy | undefined> {
    const r = this.s.latestPolicy!.get(service, environment) as { body: string } | undefined
    return r && (JSON.parse(r.body) as Policy)
  }
  async getPolicy(service: string, environment: string, version: number): Promise<Policy | undefined> {
    const r = this.s.getPolicy!.get(service, environment, version) as { body: string } | undefined
    return r && (JSON.parse(r.body) as Policy)
  }
  async listPolicies(service: string, environment: string, limit: number): Promise<PolicySummary[]> {
    return (this.s.listPolicies!.all(service, environment, limit) as { body: string }[]).map((r) => {
      const p = JSON.parse(r.body) as Policy
      return {
        version: p.version,
        source: p.source,
        author: p.author,
        reason: p.reason,
        createdAt: p.createdAt,
        rules: p.rules.length,
        projection: p.projection,
      }
    })
  }
  async insertPolicy(policy: Omit<Policy, 'version'>): Promise<Policy> {
    return this.insertPolicyTx.immediate(policy)
  }

  async getSettings(service: string): Promise<Settings | undefined> {
    const r = this.s.getSettings!.get(service) as { body: string } | undefined
    return r && (JSON.parse(r.body) as Settings)
  }
  async putSettings(service: string, settings: Settings): Promise<void> {
    this.s.putSettings!.run(service, JSON.stringify(settings), Date.now())
  }

  async listPins(service: string): Promise<PinRecord[]> {
    return (this.s.listPins!.all(service) as Row[]).map(pinFromRow)
  }
  async insertPin(service: string, pin: Pin, author: string | undefined, at: number): Promise<PinRecord> {
    const row = this.s.insertPin!.get({
      service,
      signature: pin.signature,
      level: pin.level ?? null,
      rate: pin.rate,
      reason: pin.reason,
      author: author ?? null,
      createdAt: new Date(at).toISOString(),
      expiresAt: pin.expiresAt ?? null,
    }) as Row
    return pinFromRow(row)
  }
  async deletePin(service: string, id: number): Promise<boolean> {
    return this.s.deletePin!.run(service, id).changes > 0
  }

  async listSeparations(service: string, environment: string): Promise<SeparationRecord[]> {
    return (this.s.listSeparations!.all(service, environment) as Row[]).map(separationFromRow)
  }
  async insertSeparation(
    service: string,
    environment: string,
    separation: Separation,
    author: string | undefined,
    at: number,
  ): Promise<SeparationRecord> {
    const row = this.s.insertSeparation!.get({
      service,
      environment,
      kind: separation.kind,
      pattern: separation.pattern ?? null,
      signatures: JSON.stringify(separation.signatures),
      author: author ?? null,
      createdAt: new Date(at).toISOString(),
    }) as Row
    return separationFromRow(row)
  }
  async deleteSeparation(service: string, environment: string, id: number): Promise<boolean> {
    return this.s.deleteSeparation!.run(service, environment, id).changes > 0
  }

  async timeSeries(
    service: string,
    environment: string,
    resolution: 'minute' | 'hour',
    sinceMs: number,
  ): Promise<SeriesPoint[]> {
    const statement = resolution === 'minute' ? this.s.seriesMinute! : this.s.seriesHour!
    return statement.all({ service, environment, since: sinceMs }) as SeriesPoint[]
  }
  async patternHours(
    service: string,
    environment: string,
    signatures: string[],
    sinceMs: number,
  ): Promise<PatternHour[]> {
    if (signatures.length === 0) return []
    return this.s.patternHours!.all(
      service,
      environment,
      sinceMs,
      JSON.stringify(signatures),
    ) as PatternHour[]
  }

  async insertSession(session: SessionRecord): Promise<void> {
    this.s.insertSession!.run({
      ...session,
      services: session.services === null ? null : JSON.stringify(session.services),
    })
  }
  async getSession(idHash: string): Promise<SessionRecord | undefined> {
    const r = this.s.getSession!.get(idHash) as Row | undefined
    return r && sessionFromRow(r)
  }
  async deleteSession(idHash: string): Promise<void> {
    this.s.deleteSession!.run(idHash)
  }
  async deleteExpiredSessions(now: number): Promise<number> {
    return this.s.deleteExpiredSessions!.run(now).changes
  }

  async rollup(
    minuteBefore: number,
    hourBefore: number,
  ): Promise<{ rolledUp: number; deleted: number; pruned: number }> {
    return this.db
      .transaction(() => {
        this.s.rollupHours!.run(minuteBefore)
        const rolledUp = this.s.deleteMinutes!.run(minuteBefore).changes
        const deleted = this.s.deleteHours!.run(hourBefore).changes
        this.s.deleteOverflow!.run(minuteBefore)
        const pruned = this.s.prunePatterns!.run(minuteBefore).changes
        return { rolledUp, deleted, pruned }
      })
      .immediate()
  }

  ready(): boolean {
    return this.db.open && this.db.prepare('SELECT 1').pluck().get() === 1
  }

  close(): void {
    if (!this.db.open) return
    // Fold the WAL back into the main file so a copied .db file is complete on its own.
    this.db.pragma('wal_checkpoint(TRUNCATE)')
    this.db.close()
  }
}
