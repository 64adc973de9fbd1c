// 24 h sparklines of the patterns on screen: lines seen per hour, from one store read, drawn as SVG.
import { patternKey } from '@logsieve/core'
import { html } from 'hono/html'
import type { ServerContext } from '../context.js'
import type { Html } from './layout.js'

const HOUR_MS = 3_600_000
const HOURS = 24
const WIDTH = 96
const HEIGHT = 24

/** Seen per hour over the last 24 hours (the current hour last) of each listed pattern, by patternKey. */
export async function hourlySeen(
  ctx: ServerContext,
  service: string,
  environment: string,
  signatures: string[],
  now: number,
): Promise<Map<string, number[]>> {
  const firstHour = Math.floor(now / HOUR_MS) * HOUR_MS - (HOURS - 1) * HOUR_MS
  const hours = await ctx.store.patternHours(service, environment, signatures, firstHour)
  const out = new Map<string, number[]>()
  for (const h of hours) {
    const k = patternKey(h.signature, h.level)
    let counts = out.get(k)
    if (!counts) {
      counts = new Array<number>(HOURS).fill(0)
      out.set(k, counts)
    }
    const i = Math.round((h.hour - firstHour) / HOUR_MS)
    if (i >= 0 && i < HOURS) counts[i]! += h.seen
  }
  return out
}

/** A sparkline of hourly counts as an SVG polyline, with its total and peak for screen readers. */
export function sparkline(counts: number[] = new Array<number>(HOURS).fill(0)): Html {
  let max = 1
  let total = 0
  for (const n of counts) {
    if (n > max) max = n
    total += n
  }
  const points = counts
    .map(
      (n, i) =>
        `${((i * WIDTH) / (counts.length - 1)).toFixed(1)},${(HEIGHT - 2 - (n / max) * (HEIGHT - 4)).toFixed(1)}`,
    )
    .join(' ')
  return html`<svg class="spark" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${total.toLocaleString('en-US')} lines in 24 h, at most ${max.toLocaleString('en-US')} an hour"><polyline points="${points}" fill="none" stroke="currentColor" stroke-width="1.5"/></svg>`
}
