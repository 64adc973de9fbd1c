// The storage interface. Async on purpose: the SQLite adapter answers synchronously under the hood, but
// a PostgreSQL adapter could implement the same shape without changing a route.
import type { LevelName, Pin, Policy, Settings } from '@logsieve/core'
import type { Pending } from '../stats-aggregator.js'

/** `viewer` keys read everything an admin key reads and change nothing. */
export type KeyScope = 'ingest' | 'admin' | 'viewer'

export interface ApiKeyRecord {
  /** Public part of the key (`lsk_<id>_<secret>`), used to find the record. */
  id: string
  name: string
  scope: KeyScope
  /** Services an ingest key may use; null means every service. */
  services: string[] | null
  /** sha256 of the secret part, hex. */
  hash: string
  createdAt: number
  revokedAt: number | null
}

/** Counts of one (service, environment, signature, level) in one minute, summed over instances. */
export interface MinuteStats {
  service: string
  environment: string
  signature: string
  level: LevelName
  /** Start of the minute, ms since epoch. */
  minute: number
  seen: number
  kept: number
  /** Written bytes of the seen lines (Logsieve's fields included). */
  bytes: number
  keptBytes: number
  /** Bytes of the seen lines as the plain logger would write them (without Logsieve's fields). */
  plainBytes: number
}

/** Lines of one service/environment in one minute that no tracked pattern holds (see maxPatternsPerService). */
export interface OverflowStats {
  service: string
  environment: string
  minute: number
  seen: number
  kept: number
  bytes: number
  keptBytes: number
}

/** A page of `listPatterns`: patterns after `after` in (signature, level) order, at most `limit`. */
export interface PatternPage {
  after?: { signature: string; level: LevelName }
  limit: number
}

/** What the server remembers of a pattern beyond its counts. */
export interface PatternMeta {
  service: string
  environment: string
  signature: string
  level: LevelName
  template: string
  example: string | null
  firstSeen: number
  lastSeen: number
}

/** The smoothed rate state of a pattern, updated at each generation. */
export interface PatternState {
  signature: string
  level: LevelName
  /** EMA of fleet-wide events per second. */
  emaRate: number
  /** EMA of the squared deviation, for z-scores. */
  emaVar: number
  /** Mean written size of a line. */
  bytesPerEvent: number
  /** Mean plain size of a line (without Logsieve's fields). */
  plainBytesPerEvent: number
  /** Number of windows folded into the EMA. */
  samples: number
  updatedAt: number
}

export type PatternRecord = PatternMeta & Partial<Omit<PatternState, 'signature' | 'level'>>

/** Some of a service's patterns by signature (every level of each), in (signature, level) order. */
export interface PatternPick {
  signatures: string[]
}

/** What a table of patterns sorts and filters by: a pattern without its example and rate variance. */
export type PatternColumns = Pick<
  PatternRecord,
  | 'signature'
  | 'level'
  | 'template'
  | 'firstSeen'
  | 'lastSeen'
  | 'emaRate'
  | 'bytesPerEvent'
  | 'plainBytesPerEvent'
>

export interface ServiceRecord {
  service: string
  environment: string
  firstSeen: number
  lastSeen: number
  patterns: number
}

export interface PolicySummary {
  version: number
  source: Policy['source']
  author: string | undefined
  reason: string | undefined
  createdAt: string | undefined
  rules: number
  projection: Policy['projection']
}

export interface PinRecord extends Pin {
  id: number
  service: string
  author: string | undefined
  createdAt: string
}

/** A merge an admin undid (issue 15): these signatures never share a pattern again. */
export interface Separation {
  kind: 'split' | 'forbid'
  /** The split pattern's id (kind `split`). */
  pattern: string | undefined
  /** Signatures no two of which may share a pattern. */
  signatures: string[]
}

export interface SeparationRecord extends Separation {
  id: number
  service: string
  environment: string
  author: string | undefined
  createdAt: string
}

export interface PatternTotals {
  signature: string
  level: LevelName
  seen: number
  kept: number
  bytes: number
  keptBytes: number
  plainBytes: number
}

/** A dashboard session. Only a hash of its id is stored; the id itself lives in the browser's cookie. */
export interface SessionRecord {
  idHash: string
  /** The key that logged in (`env` for LOGSIEVE_ADMIN_KEY): revoking it ends the session. */
  keyId: string
  name: string
  scope: KeyScope
  services: string[] | null
  /** The token every write from this session must carry. */
  csrf: string
  createdAt: number
  expiresAt: number
}

/** A service's totals in one minute or one hour. */
export interface SeriesPoint {
  /** Start of the minute or hour, ms since epoch. */
  t: number
  seen: number
  kept: number
  bytes: number
  keptBytes: number
  /** Bytes as the plain logger would write the seen lines (equal to `bytes` for SDKs that do not report it). */
  plainBytes: number
}

/** Lines one pattern saw in one hour. */
export interface PatternHour {
  signature: string
  level: LevelName
  hour: number
  seen: number
}

export interface Store {
  insertKey(key: ApiKeyRecord): Promise<void>
  getKey(id: string): Promise<ApiKeyRecord | undefined>
  listKeys(): Promise<ApiKeyRecord[]>
  /** Marks a key revoked; false when there is no such key. */
  revokeKey(id: string, at: number): Promise<boolean>
  hasAdminKey(): Promise<boolean>

  /**
   * Adds minute counts (saturating each stored row at ROW_MAX_COUNT), upserts pattern metadata and adds
   * overflow counts, all in one transaction. A shared store also keeps `pending` (what arrived since
   * each group's last generation) for whichever replica generates next.
   */
  writeStats(
    rows: MinuteStats[],
    patterns: PatternMeta[],
    pending?: PendingGroup[],
    overflow?: OverflowStats[],
  ): Promise<void>
  /** A service's patterns in (signature, level) order: all of them, one page, or those of some signatures. */
  listPatterns(
    service: string,
    environment: string,
    page?: PatternPage | PatternPick,
  ): Promise<PatternRecord[]>
  /** Every pattern of a service with only what a table sorts and filters by: one light read, no example. */
  patternColumns(service: string, environment: string): Promise<PatternColumns[]>
  updatePatternStates(service: string, environment: string, states: PatternState[]): Promise<void>
  /** Counts per pattern since `sinceMs` (minute resolution): of every pattern, or of some signatures. */
  patternTotals(
    service: string,
    environment: string,
    sinceMs: number,
    signatures?: string[],
  ): Promise<PatternTotals[]>
  listServices(): Promise<ServiceRecord[]>
  /** Overflow counts per service/environment since `sinceMs`. */
  overflowTotals(sinceMs: number): Promise<Array<Omit<OverflowStats, 'minute'>>>
  /** Records when SDK instances last reported (a later report wins, whichever process wrote it). */
  writeInstances(reports: InstanceReport[]): Promise<void>
  /** Instances of a service/environment that reported at or after `sinceMs`. */
  countInstances(service: string, environment: string, sinceMs: number): Promise<number>
  /** Forgets instances silent since before `beforeMs`; returns how many. */
  pruneInstances(beforeMs: number): Promise<number>

  latestPolicy(service: string, environment: string): Promise<Policy | undefined>
  getPolicy(service: string, environment: string, version: number): Promise<Policy | undefined>
  listPolicies(service: string, environment: string, limit: number): Promise<PolicySummary[]>
  /** Stores a new immutable version; the version number is assigned here (previous + 1). */
  insertPolicy(policy: Omit<Policy, 'version'>): Promise<Policy>

  getSettings(service: string): Promise<Settings | undefined>
  putSettings(service: string, settings: Settings): Promise<void>

  listPins(service: string): Promise<PinRecord[]>
  insertPin(service: string, pin: Pin, author: string | undefined, at: number): Promise<PinRecord>
  deletePin(service: string, id: number): Promise<boolean>

  listSeparations(service: string, environment: string): Promise<SeparationRecord[]>
  insertSeparation(
    service: string,
    environment: string,
    separation: Separation,
    author: string | undefined,
    at: number,
  ): Promise<SeparationRecord>
  deleteSeparation(service: string, environment: string, id: number): Promise<boolean>

  /** A service's totals per minute (from minute rows) or per hour (hour rows and minute rows folded), since `sinceMs`. */
  timeSeries(
    service: string,
    environment: string,
    resolution: 'minute' | 'hour',
    sinceMs: number,
  ): Promise<SeriesPoint[]>
  /** Hourly seen counts since `sinceMs` of the listed signatures (sparklines). */
  patternHours(
    service: string,
    environment: string,
    signatures: string[],
    sinceMs: number,
  ): Promise<PatternHour[]>

  insertSession(session: SessionRecord): Promise<void>
  getSession(idHash: string): Promise<SessionRecord | undefined>
  deleteSession(idHash: string): Promise<void>
  /** Drops sessions expired at `now`; returns how many. */
  deleteExpiredSessions(now: number): Promise<number>

  /**
   * Rolls minute rows older than `minuteBefore` into hours (saturating at HOUR_MAX_COUNT); drops hours
   * older than `hourBefore`, overflow rows older than `minuteBefore`, and patterns last seen before it.
   */
  rollup(
    minuteBefore: number,
    hourBefore: number,
  ): Promise<{ rolledUp: number; deleted: number; pruned: number }>
  /** True when the store answers queries (`GET /ready`). */
  ready(): boolean | Promise<boolean>
  /** Releases the store (the server calls it last on `close()`). */
  close(): void | Promise<void>
}

/** Stats of one service/environment since its last generation, as one flush adds them. */
export interface PendingGroup {
  service: string
  environment: string
  pending: Pending
}

export interface StoreEvents {
  /** A policy version was stored (by any replica, this one included). */
  policy(service: string, environment: string, version: number): void
  /** A key was revoked. */
  keys(): void
  /** The change feed was down and is back: events may have been missed. */
  resync(): void
}

/**
 * A store several server processes share (PostgreSQL): what one process kept in memory (stats since the
 * last generation, the generation lock, change notifications) lives in the database instead.
 */
/** An SDK instance's latest stats report. */
export interface InstanceReport {
  service: string
  environment: string
  instance: string
  /** ms since epoch */
  at: number
}

export interface SharedStore extends Store {
  readonly shared: true
  /** Takes (or with `peek`, reads) what arrived for a group since its last generation. */
  takePending(service: string, environment: string, now: number, peek?: boolean): Promise<Pending | undefined>
  pendingGroups(): Promise<Array<{ service: string; environment: string }>>
  /**
   * Runs `fn` in one transaction that holds the group's generation lock, with a store bound to that
   * transaction: one process at a time generates a group, and a process dying midway commits nothing.
   */
  exclusive<T>(service: string, environment: string, fn: (tx: SharedStore) => Promise<T>): Promise<T>
  /** As `exclusive`, but resolves undefined at once when another process holds the group's lock. */
  tryExclusive<T>(
    service: string,
    environment: string,
    fn: (tx: SharedStore) => Promise<T>,
  ): Promise<T | undefined>
  /** True when stats of the group wait for a generation (a cheap check, unlike `takePending` with peek). */
  hasPending(service: string, environment: string): Promise<boolean>
  /** Subscribe to changes made by any process; resolves once the first subscription is in place. */
  listen(events: StoreEvents): Promise<void>
  /** Moves acknowledged stats from the inbox into the minute rows; skipped while another process does. */
  foldStats(): Promise<FoldResult>
}

/** What one `foldStats` moved. */
export interface FoldResult {
  /** Inbox rows (flushes) folded; 0 also when another process held the fold. */
  flushes: number
  /** Minute rows and overflow rows written. */
  rows: number
  overflow: number
}

export const isShared = (store: Store): store is SharedStore =>
  (store as Partial<SharedStore>).shared === true
