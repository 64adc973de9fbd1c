// Public interfaces of the core algorithms. Implementations live beside this file
// (signature.ts, sampler.ts, stats-table.ts, policy-client.ts, generator.ts); SDKs, the server and the
// CLI code against these shapes.

import type { Pin, Policy, Projection, Settings, StatsBatch } from './schema.js'
import type { LevelName } from './severity.js'

/** The identity of a message template. */
export interface SignatureResult {
  /** 16 lowercase hex characters: a 64-bit hash of `template`. */
  signature: string
  /** The template: the format string itself, or the rendered message with variable tokens masked to `<*>`. */
  template: string
}

/** Why a line was kept or dropped. */
export type DecisionReason =
  | 'always' // level in alwaysKeep (error and fatal always)
  | 'rule' // a per-signature rule decided
  | 'level' // the policy's level default decided
  | 'new' // unknown signature: the newPattern default decided
  | 'capped' // dropped by a maxPerSecond token bucket
  | 'floor' // one of the first `defaults.floorPerMinute` lines of its pattern this minute: kept, weight 1

/**
 * The result of `Sampler.decide()`. The sampler reuses one object per sampler on the hot path, so read
 * it before the next `decide()` call (copy what you keep).
 */
export interface Decision {
  keep: boolean
  signature: string
  template: string
  level: LevelName
  /** OpenTelemetry severity number of the line. */
  severity: number
  /** The rate that applied (0–1): the line's probability of being kept; 1 for a floor line. */
  rate: number
  /** Weight of a kept line: 1/rate when rate < 1, else 1 (floor lines: 1). Emitted as `sample_rate`. */
  sampleRate: number
  reason: DecisionReason
  /**
   * The line's pattern, the same object for its lines while the sampler holds the pattern: an
   * integration keeps what it derives from a pattern (a compiled format) in its `memo` instead of a map
   * of its own, and checks on reading that the memo is its own and for the same key (after an internal
   * error the sampler fails open, and the decision's signature and pattern may be an earlier line's).
   */
  pattern?: PatternMemo
  /**
   * True on a kept line whose size the sampler asks for: a logger that can measure what it writes (a
   * pass over the serialized line) measures this one and reports it with `Sampler.measured`. Chosen by
   * createSampler: the first 256 kept lines, the first 8 of each pattern and level, then one in 256;
   * never by createBaseSampler. After an internal failure of decide() it may be the previous line's.
   */
  measure: boolean
  /**
   * Set by createSampler when the same call would get this decision again until the sampler's state
   * changes (a pattern kept whole or muted): a caller that recognizes the same call (its message, its
   * level) may hand it to `Sampler.again` instead of deciding in full. undefined otherwise.
   */
  lane?: Lane
}

/** A decision a sampler may repeat (see `Decision.lane` and `Sampler.again`); opaque to callers. */
export interface Lane {
  readonly decision: Decision
}

/** A pattern's room for one integration's data: whoever reads `memo` checks that it is its own. */
export interface PatternMemo {
  memo: unknown
}

export interface DecideOptions {
  /** True when `text` is a format string (`'user %s logged in'`): exact template, no masking. */
  isFormat?: boolean
  /** Trace id of the current scope: one threshold per trace keeps whole traces together. */
  traceId?: string
  /**
   * Written size of the line when known (as the logger writes it, Logsieve's own fields included);
   * otherwise estimated: the mean measured size of the pattern's lines (see `Sampler.measured`), else
   * message length + 64.
   */
  bytes?: number
  /**
   * Plain size of the line when known: what the logger would write without Logsieve (none of its added
   * fields). Otherwise the written size less the mean bytes Logsieve's fields added to the pattern's
   * measured lines (the written size until one is measured with a plain size).
   */
  plainBytes?: number
}

export interface Sampler<S extends StatsCounter = StatsTable> {
  /**
   * Decide whether to keep one line and count it in the stats table. Never throws: any `level` and any
   * `text` (non-strings included) give a decision.
   */
  decide(level: unknown, text: unknown, options?: DecideOptions): Decision
  /**
   * Report the size of the line the last `decide()` kept, once it is known (after the logger wrote it):
   * `writtenBytes` as written, Logsieve's fields included, and `plainBytes` as the plain logger would
   * have written it (without them; omitted: equal to `writtenBytes`). Its stats row gets the real sizes
   * instead of the estimates, and later lines of the same pattern and level (dropped ones included) are
   * estimated from the pattern's measured lines. Ignored when the last decision was a drop.
   */
  measured(writtenBytes: number, plainBytes?: number): void
  /**
   * The decision `decide` would make again for the call that returned `lane` (the same level and text,
   * no trace id given or needed), counted as `decide` counts it, or undefined: then call `decide`.
   */
  again(lane: Lane): Decision | undefined
  /**
   * True when the line the last `decide()` kept belongs to a pattern and level with no measured size yet.
   * (`Decision.measure` already marks such lines, and the sampler's other picks.)
   */
  sizeUnknown(): boolean
  /** Swap in a new policy (already validated with parsePolicy). */
  setPolicy(policy: Policy): void
  readonly policy: Policy
  readonly stats: S
}

export interface SamplerOptions {
  /** Policy to start with. @default defaultPolicy(service) */
  policy?: Policy
  /** Table that counts what was seen and kept. @default a new StatsTable */
  stats?: StatsTable
  /** Source of uniform [0,1) numbers when there is no trace id. @default Math.random */
  random?: () => number
  /**
   * Clock in milliseconds, for token buckets, rule expiry and the per-minute floor. A clock accurate to
   * a second is enough (see `createCoarseClock`, which saves Date.now() on every line). @default Date.now
   */
  now?: () => number
  /**
   * Diagnostic callback for an internal failure of `decide()`; the line is then kept (fail open).
   * Errors thrown by the callback are swallowed.
   */
  onError?: (error: unknown) => void
}

/** One row of a stats snapshot. */
export interface StatsRow {
  signature: string
  level: LevelName
  template: string
  seen: number
  kept: number
  /** Written bytes of all seen lines (dropped ones as if kept, Logsieve's fields included). */
  bytes: number
  /** Written bytes of the kept lines. */
  keptBytes: number
  /** Bytes of all seen lines as the plain logger (without Logsieve's fields) would write them. */
  plainBytes: number
  /** Dropped lines (counted in seen) written after all by backfill. Missing in older snapshots: 0. */
  backfilled?: number
  firstSeen: number
  example?: string
}

/** Counts of the lines whose rows a stats table could not hold. */
export interface OverflowCounts {
  seen: number
  kept: number
  bytes: number
  /** Missing in a snapshot from before plain bytes were counted: equal to `bytes`. */
  plainBytes?: number
}

export interface StatsSnapshot {
  /** Window start and end, ms since epoch. */
  start: number
  end: number
  rows: StatsRow[]
  overflow: OverflowCounts
}

/** A row of a stats table held by a hot path between lines (see `StatsTable.handle`). */
export interface StatsHandle {
  /** False once the row has left the table (evicted, or a snapshot started a new window). */
  readonly live: boolean
}

/** What a sampler counts into: `handle`, `countInto` and `addBytes` of a StatsTable. */
export interface StatsCounter {
  /**
   * The row of (signature, level), admitted as `count` would admit it, to count into with `countInto`
   * without looking it up again.
   */
  handle(signature: string, level: LevelName, template: string): StatsHandle
  /**
   * Count one line into a handle's row, like `count`. Returns false and counts nothing when the handle
   * is no longer live: take a new one.
   */
  countInto(handle: StatsHandle, kept: boolean, bytes: number, plainBytes?: number): boolean
  /**
   * Add `delta` written bytes to a live handle's row, to its kept bytes too when `kept`, and
   * `plainDelta` to its plain bytes (a measured size replacing an estimate). Optional: a counter
   * without it keeps the estimates (the browser's page table, whose base sampler never measures).
   */
  addBytes?(handle: StatsHandle, delta: number, kept: boolean, plainDelta?: number): void
  /**
   * Count `lines` alike lines into a handle's row at once (a sampler's lanes), like `countInto` each.
   * Optional, with `onSettle`: a counter without them is counted into line by line.
   */
  countMany?(handle: StatsHandle, lines: number, kept: boolean, bytes: number, plainBytes: number): boolean
  /**
   * Register `settle`, which adds counts held outside the counter (a sampler's lanes) to it: the counter
   * calls it before it reads its rows (a snapshot) or evicts one.
   */
  onSettle?(settle: () => void): void
}

/** Bounded per-(signature, level) counters; see StatsTable in stats-table.ts. */
export interface StatsTable extends StatsCounter {
  addBytes(handle: StatsHandle, delta: number, kept: boolean, plainDelta?: number): void
  countMany(handle: StatsHandle, lines: number, kept: boolean, bytes: number, plainBytes: number): boolean
  onSettle(settle: () => void): void
  /** Count one line: `bytes` written, `plainBytes` without Logsieve's fields (default: `bytes`). */
  count(
    signature: string,
    level: LevelName,
    template: string,
    kept: boolean,
    bytes: number,
    plainBytes?: number,
  ): void
  /**
   * Count a dropped line of (signature, level) that backfill wrote after all (it was counted as seen
   * when logged), if its row is still held.
   */
  backfilled(signature: string, level: LevelName): void
  /** Attach a (already redacted) example line to a row, if it has none yet. */
  setExample(signature: string, level: LevelName, example: string): void
  /** Take the current window and start a new one. */
  snapshot(): StatsSnapshot
  /** Fold an unsent snapshot back in (a failed flush), keeping the table bounded. */
  merge(snapshot: StatsSnapshot): void
  /** Number of rows held. */
  readonly size: number
}

export interface BatchMeta {
  sdk: { name: string; version: string }
  service: string
  environment: string
  instance?: string
  policyVersion?: number | null
}

/** Turns a snapshot into the wire format (see `toStatsBatch` in stats-table.ts). */
export type ToStatsBatch = (snapshot: StatsSnapshot, meta: BatchMeta) => StatsBatch

/** Where a policy client keeps the last good policy (memory, disk, localStorage). */
export interface PolicyCache {
  load(key: string): CachedPolicy | undefined | Promise<CachedPolicy | undefined>
  save(key: string, value: CachedPolicy): void | Promise<void>
}

export interface CachedPolicy {
  policy: Policy
  etag?: string
}

export interface PolicyClientOptions {
  /** Policy server base URL, e.g. `http://127.0.0.1:7070`. */
  url: string
  apiKey?: string
  service: string
  environment?: string
  cache?: PolicyCache
  /** @default globalThis.fetch */
  fetch?: typeof fetch
  /** Called with every new valid policy. Errors thrown by the callback are swallowed. */
  onPolicy?: (policy: Policy) => void
  /** Called with every failure (network, HTTP status, invalid policy). Never thrown to the caller. */
  onError?: (error: Error) => void
  /** Request timeout. @default 10_000 */
  timeoutMs?: number
  /** Backoff base and cap for retries after a failure. @default { baseMs: 1000, maxMs: 300_000 } */
  backoff?: { baseMs?: number; maxMs?: number }
}

export interface PolicyClient {
  /** The last good policy, if any. */
  readonly current: Policy | undefined
  /** Load the cached policy (if any) and report it through onPolicy. */
  loadCached(): Promise<Policy | undefined>
  /** Fetch once with If-None-Match. Resolves to the current policy; never rejects. */
  refresh(): Promise<Policy | undefined>
  /** Poll every `refreshSeconds` (from the policy, with jitter), backing off after failures. */
  start(): void
  stop(): void
}

// ── Generator ─────────────────────────────────────────────────────────────────────────────────────

/** What the server (or the CLI, from a file) knows about one pattern, fleet-wide. */
export interface PatternObservation {
  signature: string
  level: LevelName
  template: string
  /** Events per second across all instances (smoothed). */
  eventsPerSecond: number
  /**
   * Mean written size of one line of the pattern kept whole (Logsieve's fields included, but none of the
   * sampling field `sample_rate`: the generator adds `samplingFieldBytes(rate)`).
   */
  bytesPerEvent: number
  /** Mean size of one line as the plain logger would write it: the "before" of savings. @default bytesPerEvent */
  plainBytesPerEvent?: number
  /**
   * Share of the pattern's dropped lines that backfill writes after all (an error in their request), 0–1.
   * Each such line costs its size plus BACKFILL_FIELD_BYTES, so a lower rate saves less. @default 0
   */
  backfillShare?: number
  /** ms since epoch. */
  firstSeen: number
  /** Set when the pattern's current rate is far above its own baseline. */
  anomaly?: { zScore: number; baseline: number }
}

export interface GeneratorInput {
  service: string
  environment: string
  patterns: PatternObservation[]
  settings: Settings
  pins?: Pin[]
  /** The current policy, for hysteresis. */
  previous?: Policy
  /**
   * When stats for this service were first seen (ms since epoch). Patterns first seen within
   * `settings.baselineSeconds` of it are the baseline and are not boosted as new. @default no baseline
   */
  knownSince?: number
  /**
   * SDK instances reporting for the service. Boosted patterns are capped at `boostMaxPerSecond` per
   * instance, so this bounds what a boost costs in the projection. @default 1
   */
  instances?: number
  /** ms since epoch. */
  now: number
}

export interface GeneratedPolicy {
  /** Everything but version/createdAt/author, which the caller assigns. */
  policy: Omit<Policy, 'version' | 'createdAt' | 'author'>
  projection: Projection
  overBudget: boolean
  /** The water level: max events/s any one (weight 1) pattern keeps. */
  cap: number
}
