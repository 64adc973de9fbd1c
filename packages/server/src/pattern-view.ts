// A service's patterns as people read them: rates, volumes, what the policy does to each and why. One
// computation for `GET /v1/patterns` (every pattern in full) and the dashboard's patterns page (a light
// row per pattern to sort and filter, and the full view of the rows on screen).
import { type LevelName, type Policy, patternKey, projectUnderPolicy, type RateReason } from '@logsieve/core'
import type { ServerContext } from './context.js'
import { REPORTING_MS } from './instances.js'
import type { PatternColumns, PatternRecord, PatternTotals } from './store/types.js'

const DAY_SECONDS = 86_400
const DAY_MS = DAY_SECONDS * 1000
const iso = (ms: number): string => new Date(ms).toISOString()

/** A pattern's counts over the last 24 hours. */
export interface DayCounts {
  seen: number
  kept: number
  bytes: number
  keptBytes: number
  plainBytes: number
}

/** What a pattern costs and what the current policy does to it. */
export interface PatternMeasures {
  /** Fleet-wide lines per second (the server's smoothed rate; the 24 h average before the first generation). */
  eventsPerSecond: number
  /** What the current policy keeps of them, per second: the floor's lines and the rate's share of the rest. */
  keptPerSecond: number
  /** Mean written size of a line (Logsieve's fields included): what a rate spends. */
  bytesPerEvent: number
  /** Mean size of a line as the plain logger writes it: what a saving is measured against. */
  plainBytesPerEvent: number
  /** Written bytes per day if every line were kept. */
  bytesPerDay: number
  /** Bytes per day as the plain logger would write every line (the "before"). */
  plainBytesPerDay: number
  /** The rate SDKs sample it at now (core's effectiveRate, before the per-minute floor). */
  rate: number
  /** What decided the rate, as the sampler names it. */
  reason: RateReason
  /** The deciding rule's reason (`pin`, `budget`, …) when a rule decided. */
  ruleReason?: string
  /** Cap on kept lines per second per SDK instance, when one applies. */
  maxPerSecond?: number
  /**
   * Written bytes per day under the current policy, as the generator projects them: kept lines (the
   * floor's included) with `sample_rate` where they stand for dropped ones. Backfill is in the policy's
   * projection only (it depends on the errors of a period, which a pattern's rate state does not keep).
   */
  projectedBytesPerDay: number
  /** Plain bytes per day before minus written bytes per day after. */
  savedBytesPerDay: number
}

/** A pattern in full: `GET /v1/patterns` answers these. */
export interface PatternView extends PatternMeasures {
  signature: string
  level: LevelName
  template: string
  /** The last redacted example line an SDK sent, if any. */
  example: string | null
  firstSeen: string
  lastSeen: string
  /** Counts over the last 24 hours. */
  last24h: DayCounts
  /** This pattern's part of the service's plain bytes per day (0-1). */
  share: number
}

/** A pattern as a table sorts and filters it: its columns and measures, times in ms. */
export interface PatternRow
  extends PatternMeasures,
    Pick<PatternColumns, 'signature' | 'level' | 'template' | 'firstSeen' | 'lastSeen'> {
  /** This pattern's part of the service's plain bytes per day (0-1), once the table is complete. */
  share: number
}

const NO_COUNTS: DayCounts = { seen: 0, kept: 0, bytes: 0, keptBytes: 0, plainBytes: 0 }

/**
 * A pattern's rates and volumes under a policy: from its rate state, else from its last 24 h. One object
 * per pattern (a table measures 10,000 of them per request). `instances` reporting set the floor's lines.
 */
function measure(
  p: PatternColumns,
  day: DayCounts,
  policy: Policy,
  now: number,
  instances: number,
): PatternRow {
  const eventsPerSecond = p.emaRate ?? day.seen / DAY_SECONDS
  const bytesPerEvent = p.bytesPerEvent ?? (day.seen > 0 ? day.bytes / day.seen : 0)
  const plainBytesPerEvent =
    p.plainBytesPerEvent ?? (day.seen > 0 ? day.plainBytes / day.seen : bytesPerEvent)
  const bytesPerDay = eventsPerSecond * bytesPerEvent * DAY_SECONDS
  const plainBytesPerDay = eventsPerSecond * plainBytesPerEvent * DAY_SECONDS
  // What SDKs sample this pattern at now (the sampler's own decision order), and what that writes.
  const projected = projectUnderPolicy(
    policy,
    { signature: p.signature, level: p.level, eventsPerSecond, bytesPerEvent },
    instances,
    now,
  )
  const { rate, reason, maxPerSecond, rule } = projected
  const projectedBytesPerDay = projected.writtenBytesPerSecond * DAY_SECONDS
  return {
    signature: p.signature,
    level: p.level,
    template: p.template,
    firstSeen: p.firstSeen,
    lastSeen: p.lastSeen,
    eventsPerSecond,
    keptPerSecond: projected.keptPerSecond,
    bytesPerEvent,
    plainBytesPerEvent,
    bytesPerDay,
    plainBytesPerDay,
    rate,
    reason,
    ruleReason: rule?.reason,
    maxPerSecond,
    projectedBytesPerDay,
    savedBytesPerDay: plainBytesPerDay - projectedBytesPerDay,
    share: 0,
  }
}

/** Each pattern's share of the rows' plain bytes per day. */
function setShares(rows: Array<{ plainBytesPerDay: number; share: number }>): void {
  let plainTotal = 0
  for (const r of rows) plainTotal += r.plainBytesPerDay
  if (plainTotal > 0) for (const r of rows) r.share = r.plainBytesPerDay / plainTotal
}

function view(p: PatternRecord, day: DayCounts, m: PatternRow): PatternView {
  return {
    signature: p.signature,
    level: p.level,
    template: p.template,
    example: p.example,
    firstSeen: iso(p.firstSeen),
    lastSeen: iso(p.lastSeen),
    last24h: day,
    eventsPerSecond: m.eventsPerSecond,
    keptPerSecond: m.keptPerSecond,
    bytesPerEvent: m.bytesPerEvent,
    plainBytesPerEvent: m.plainBytesPerEvent,
    bytesPerDay: m.bytesPerDay,
    plainBytesPerDay: m.plainBytesPerDay,
    rate: m.rate,
    reason: m.reason,
    ...(m.ruleReason !== undefined && { ruleReason: m.ruleReason }),
    ...(m.maxPerSecond !== undefined && { maxPerSecond: m.maxPerSecond }),
    projectedBytesPerDay: m.projectedBytesPerDay,
    savedBytesPerDay: m.savedBytesPerDay,
    share: m.share,
  }
}

const countsOf = (t: PatternTotals | undefined): DayCounts =>
  t
    ? { seen: t.seen, kept: t.kept, bytes: t.bytes, keptBytes: t.keptBytes, plainBytes: t.plainBytes }
    : { ...NO_COUNTS }

const byKey = (totals: PatternTotals[]) => new Map(totals.map((t) => [patternKey(t.signature, t.level), t]))

/** Every pattern of a service/environment under its current policy, in full, loudest first. */
export async function patternViews(
  ctx: ServerContext,
  service: string,
  environment: string,
): Promise<{ policy: Policy; patterns: PatternView[]; instances: number }> {
  const { store, policies } = ctx
  await ctx.stats.flush()
  const now = ctx.options.now()
  const [{ policy }, instances] = await Promise.all([
    policies.load(service, environment),
    ctx.instances.count(service, environment, now - REPORTING_MS),
  ])
  const totals = byKey(await store.patternTotals(service, environment, now - DAY_MS))
  const patterns = (await store.listPatterns(service, environment)).map((p) => {
    const day = countsOf(totals.get(patternKey(p.signature, p.level)))
    return view(p, day, measure(p, day, policy, now, instances))
  })
  setShares(patterns)
  patterns.sort((a, b) => b.bytesPerDay - a.bytesPerDay || b.last24h.bytes - a.last24h.bytes)
  return { policy, patterns, instances }
}

/** A service's patterns as table rows, loudest first; `at` is the time they were measured at. */
export interface PatternTable {
  policy: Policy
  rows: PatternRow[]
  at: number
}

/**
 * Every pattern of a service/environment as a light row (no example, no counts) in one read; only
 * patterns no generation has measured yet add a read of their 24 h counts, which their rates come from.
 */
export async function patternTable(
  ctx: ServerContext,
  service: string,
  environment: string,
): Promise<PatternTable> {
  const { store, policies } = ctx
  await ctx.stats.flush()
  const at = ctx.options.now()
  const [{ policy }, columns, instances] = await Promise.all([
    policies.load(service, environment),
    store.patternColumns(service, environment),
    ctx.instances.count(service, environment, at - REPORTING_MS),
  ])
  const unmeasured = columns.filter(
    (p) => p.emaRate === undefined || p.bytesPerEvent === undefined || p.plainBytesPerEvent === undefined,
  )
  const totals =
    unmeasured.length === 0
      ? new Map<string, PatternTotals>()
      : byKey(
          await store.patternTotals(service, environment, at - DAY_MS, [
            ...new Set(unmeasured.map((p) => p.signature)),
          ]),
        )
  const rows = columns.map((p) =>
    measure(p, totals.get(patternKey(p.signature, p.level)) ?? NO_COUNTS, policy, at, instances),
  )
  setShares(rows)
  rows.sort((a, b) => b.bytesPerDay - a.bytesPerDay)
  return { policy, rows, at }
}

/** One pattern in full as `GET /v1/patterns` shows it, without its share (which needs every pattern). */
export async function onePattern(
  ctx: ServerContext,
  service: string,
  environment: string,
  signature: string,
  level: LevelName,
): Promise<{ policy: Policy; pattern: Omit<PatternView, 'share'> } | undefined> {
  await ctx.stats.flush()
  const now = ctx.options.now()
  const [{ policy }, records, totals, instances] = await Promise.all([
    ctx.policies.load(service, environment),
    ctx.store.listPatterns(service, environment, { signatures: [signature] }),
    ctx.store.patternTotals(service, environment, now - DAY_MS, [signature]),
    ctx.instances.count(service, environment, now - REPORTING_MS),
  ])
  const record = records.find((p) => p.level === level)
  if (!record) return undefined
  const day = countsOf(totals.find((t) => t.level === level))
  const { share: _, ...pattern } = view(record, day, measure(record, day, policy, now, instances))
  return { policy, pattern }
}
