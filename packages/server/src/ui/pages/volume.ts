// Volume charts: plain vs written bytes per minute (24 h) and per hour (7 days), policy versions marked.
// The series travel in the page as JSON data blocks (not scripts); chart.js draws them with uPlot.
import { html, raw } from 'hono/html'
import type { ServerContext } from '../../context.js'
import { type ServiceSeries, serviceSeries } from '../../series.js'
import { bytes } from '../format.js'
import { type Html, page } from '../layout.js'
import type { UiSession } from '../session.js'

/** JSON safe inside a script element: no `<` can close it or open a comment. */
const dataBlock = (id: string, value: unknown): Html =>
  html`<script type="application/json" id="${id}">${raw(JSON.stringify(value).replace(/</g, '\\u003c'))}</script>`

function chart(id: string, title: string, s: ServiceSeries): Html {
  let plain = 0
  let written = 0
  for (const p of s.points) {
    plain += p.plainBytes
    written += p.keptBytes
  }
  const unit = `${s.resolution}${s.points.length === 1 ? '' : 's'}`
  const summary = `${s.points.length} ${unit} with stats: ${bytes(plain)} plain, ${bytes(written)} written; ${s.versions.length} policy version${s.versions.length === 1 ? '' : 's'} published`
  return html`<section aria-labelledby="${id}-title" class="chart-section">
<h2 id="${id}-title">${title}</h2>
<p class="muted">${summary}.</p>
<div class="chart" data-series="${id}-data" role="img" aria-label="${title}: ${summary}"></div>
${dataBlock(`${id}-data`, s)}
</section>`
}

export async function volumePage(
  ctx: ServerContext,
  session: UiSession,
  service: string,
  environment: string,
): Promise<Html> {
  const [minutes, hours] = await Promise.all([
    serviceSeries(ctx, service, environment, 'minute'),
    serviceSeries(ctx, service, environment, 'hour'),
  ])
  const body = html`<p class="legend"><span class="key plain"></span> Plain: what the logger would write without Logsieve · <span class="key written"></span> Written: what Logsieve kept · dashed lines: policy versions</p>
${chart('minute', 'Bytes per minute, last 24 hours', minutes)}
${chart('hour', 'Bytes per hour, last 7 days', hours)}`
  return page(
    {
      title: `${service} volume`,
      session,
      service: { service, environment, tab: 'volume' },
      scripts: ['uPlot.iife.min.js', 'chart.js'],
    },
    body,
  )
}
