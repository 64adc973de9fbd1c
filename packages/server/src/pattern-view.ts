// A service's patterns as people read them: rates, volumes, what the policy does to each and why. One
// computation for `GET /v1/patterns` and the dashboard's patterns page.
import { effectiveRate, type LevelName, type Policy, patternKey, type RateReason } from '@logsieve/core'
import type { ServerContext } from './context.js'

const DAY_SECONDS = 86_400
const iso = (ms: number): string => new Date(ms).toISOString()

export interface PatternView {
  signature: string
  level: LevelName
  template: string
  /** The last redacted example line an SDK sent, if any. */
  example: string | null
  firstSeen: string
  lastSeen: string
  /** Counts over the last 24 hours. */
  last24h: { seen: number; kept: number; bytes: number; keptBytes: number; plainBytes: number }
  /** Fleet-wide lines per second (the server's smoothed rate; the 24 h average before the first generation). */
  eventsPerSecond: number
  /** What the current policy keeps of them, per second. */
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
  /** Written bytes per day under the current policy. */
  projectedBytesPerDay: number
  /** Plain bytes per day before minus written bytes per day after. */
  savedBytesPerDay: number
  /** This pattern's part of the service's plain bytes per day (0-1). */
  share: number
}

type Views = { policy: Policy; patterns: PatternView[] }

/** Recent views per server and service/environment, for paging, sorting and searching one table. */
const recent = new WeakMap<ServerContext, Map<string, { at: number; value: Views }>>()

/**
 * Every pattern of a service/environment under its current policy, loudest first. With `maxAgeMs`, a view
 * computed that recently under the same policy version is reused (the dashboard pages through 10,000
 * patterns without reading them all again on every click).
 */
export async function patternViews(
  ctx: ServerContext,
  service: string,
  environment: string,
  maxAgeMs = 0,
): Promise<Views> {
  const now = ctx.options.now()
  let cache = recent.get(ctx)
  if (!cache) {
    cache = new Map()
    recent.set(ctx, cache)
  }
  const key = `${service}\u0000${environment}`
  const hit = cache.get(key)
  const version = (await ctx.policies.load(service, environment)).policy.version
  if (hit && now - hit.at <= maxAgeMs && hit.value.policy.version === version) return hit.value
  const value = await computeViews(ctx, service, environment)
  // Only the latest view per service/environment is kept, and only for services someone looks at.
  cache.set(key, { at: now, value })
  return value
}

async function computeViews(ctx: ServerContext, service: string, environment: string): Promise<Views> {
  const { store, policies } = ctx
  await ctx.stats.flush()
  const now = ctx.options.now()
  const { policy } = await policies.load(service, environment)
  const totals = new Map(
    (await store.patternTotals(service, environment, now - DAY_SECONDS * 1000)).map((t) => [
      patternKey(t.signature, t.level),
      t,
    ]),
  )
  let plainTotal = 0
  const patterns = (await store.listPatterns(service, environment)).map((p): PatternView => {
    const t = totals.get(patternKey(p.signature, p.level))
    const last24h = {
      seen: t?.seen ?? 0,
      kept: t?.kept ?? 0,
      bytes: t?.bytes ?? 0,
      keptBytes: t?.keptBytes ?? 0,
      plainBytes: t?.plainBytes ?? 0,
    }
    const eventsPerSecond = p.emaRate ?? last24h.seen / DAY_SECONDS
    const bytesPerEvent = p.bytesPerEvent ?? (last24h.seen > 0 ? last24h.bytes / last24h.seen : 0)
    const plainBytesPerEvent =
      p.plainBytesPerEvent ?? (last24h.seen > 0 ? last24h.plainBytes / last24h.seen : bytesPerEvent)
    const bytesPerDay = eventsPerSecond * bytesPerEvent * DAY_SECONDS
    const plainBytesPerDay = eventsPerSecond * plainBytesPerEvent * DAY_SECONDS
    // What SDKs sample this pattern at now: the sampler's own decision order.
    const { rate, reason, maxPerSecond, rule } = effectiveRate(policy, p.signature, p.level, now)
    plainTotal += plainBytesPerDay
    return {
      signature: p.signature,
      level: p.level,
      template: p.template,
      example: p.example,
      firstSeen: iso(p.firstSeen),
      lastSeen: iso(p.lastSeen),
      last24h,
      eventsPerSecond,
      keptPerSecond: eventsPerSecond * rate,
      bytesPerEvent,
      plainBytesPerEvent,
      bytesPerDay,
      plainBytesPerDay,
      rate,
      reason,
      ...(rule && { ruleReason: rule.reason }),
      ...(maxPerSecond !== undefined && { maxPerSecond }),
      projectedBytesPerDay: bytesPerDay * rate,
      savedBytesPerDay: plainBytesPerDay - bytesPerDay * rate,
      share: 0,
    }
  })
  if (plainTotal > 0) for (const p of patterns) p.share = p.plainBytesPerDay / plainTotal
  patterns.sort((a, b) => b.bytesPerDay - a.bytesPerDay || b.last24h.bytes - a.last24h.bytes)
  return { policy, patterns }
}
