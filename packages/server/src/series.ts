// A service's plain, written and kept bytes over time, with the policy versions published in the span:
// what `GET /v1/services/:service/timeseries` answers and the dashboard's charts draw.
import type { Policy } from '@logsieve/core'
import type { ServerContext } from './context.js'
import type { SeriesPoint } from './store/types.js'

export type Resolution = 'minute' | 'hour'

/** How far back each resolution looks: 24 hours of minutes, 7 days of hours. */
export const SERIES_SPAN_MS: Record<Resolution, number> = { minute: 86_400_000, hour: 7 * 86_400_000 }

export interface ServiceSeries {
  service: string
  environment: string
  resolution: Resolution
  /** Start of the span, ISO time. */
  since: string
  points: SeriesPoint[]
  /** Policy versions published within the span, oldest first. */
  versions: Array<{ version: number; source: Policy['source']; createdAt: string }>
}

export async function serviceSeries(
  ctx: ServerContext,
  service: string,
  environment: string,
  resolution: Resolution,
): Promise<ServiceSeries> {
  await ctx.stats.flush()
  const since = ctx.options.now() - SERIES_SPAN_MS[resolution]
  const points = await ctx.store.timeSeries(service, environment, resolution, since)
  const versions = (await ctx.store.listPolicies(service, environment, 1000))
    .filter((v) => v.createdAt !== undefined && Date.parse(v.createdAt) >= since)
    .map((v) => ({ version: v.version, source: v.source, createdAt: v.createdAt! }))
    .reverse()
  return { service, environment, resolution, since: new Date(since).toISOString(), points, versions }
}
