// A service's patterns: a table the server sorts, filters, searches and pages; each row opens to its
// redacted example, member signatures and pins (loaded when opened), and pins or unpins from there.
import { patternKey } from '@logsieve/core'
import { html } from 'hono/html'
import type { ServerContext } from '../../context.js'
import { patternTable } from '../../pattern-view.js'
import { bytes, percent, perSecond, rate, when } from '../format.js'
import { type Html, page, serviceUrl } from '../layout.js'
import { LEVELS, PAGE_SIZES, type PatternQuery, queryString, selectPatterns, why } from '../pattern-query.js'
import type { UiSession } from '../session.js'
import { hourlySeen, sparkline } from '../sparkline.js'
import { detailsLink, detailsUrl } from './pattern-details.js'

const HOUR_MS = 3_600_000

function header(label: string, sort: string, q: PatternQuery, base: string, numeric = false): Html {
  const active = q.sort === sort
  const dir = active && q.dir === 'desc' ? 'asc' : 'desc'
  const aria = active ? (q.dir === 'asc' ? 'ascending' : 'descending') : 'none'
  return html`<th scope="col" aria-sort="${aria}"${numeric ? html` class="num"` : ''}><a href="${base}&${queryString(q, { sort, dir, page: 1 })}">${label}${active ? (q.dir === 'asc' ? ' ▲' : ' ▼') : ''}</a></th>`
}

const REASONS = ['budget', 'floor', 'new', 'anomaly', 'pin', 'manual', 'level', 'default']

export async function patternsPage(
  ctx: ServerContext,
  session: UiSession,
  service: string,
  environment: string,
  q: PatternQuery,
  flash?: { kind: 'ok' | 'error'; text: string },
): Promise<Html> {
  // Every pattern as a light row to filter and sort; sparklines only for this page, details when opened.
  const table = await patternTable(ctx, service, environment)
  const { policy, rows: patterns } = table
  const { rows, total } = selectPatterns(patterns, q)
  const spark = await hourlySeen(
    ctx,
    service,
    environment,
    [...new Set(rows.map((r) => r.signature))],
    table.at,
  )
  const base = serviceUrl(service, environment)
  const pages = Math.max(1, Math.ceil(total / q.per))
  const body = html`
<h2 class="visually-hidden">Patterns</h2>
<form method="get" action="/ui/services/${encodeURIComponent(service)}" class="filters" role="search">
  <input type="hidden" name="environment" value="${environment}">
  <label for="q">Search</label>
  <input id="q" name="q" type="search" value="${q.q}" placeholder="template or signature">
  <label for="level">Level</label>
  <select id="level" name="level"><option value="">all</option>${LEVELS.map((l) => html`<option${l === q.level ? ' selected' : ''}>${l}</option>`)}</select>
  <label for="reason">Reason</label>
  <select id="reason" name="reason"><option value="">all</option>${REASONS.map((r) => html`<option${r === q.reason ? ' selected' : ''}>${r}</option>`)}</select>
  <label for="per">Rows</label>
  <select id="per" name="per">${PAGE_SIZES.map((n) => html`<option${n === q.per ? ' selected' : ''}>${n}</option>`)}</select>
  <input type="hidden" name="sort" value="${q.sort}"><input type="hidden" name="dir" value="${q.dir}">
  <button type="submit">Apply</button>
</form>
<p class="summary">${total.toLocaleString('en-US')} of ${patterns.length.toLocaleString('en-US')} patterns · policy v${policy.version}</p>
${
  rows.length === 0
    ? html`<p class="empty">${patterns.length === 0 ? 'No stats from this service yet.' : 'No pattern matches.'}</p>`
    : html`
<div class="table-wrap"><table class="patterns">
<caption class="visually-hidden">Patterns of ${service} (${environment}), sorted by ${q.sort}; open a template for its example and pins</caption>
<thead><tr>
${header('Template', 'template', q, base)}${header('Level', 'level', q, base)}${header('Seen/s', 'seen', q, base, true)}${header('Kept/s', 'kept', q, base, true)}${header('Rate', 'rate', q, base, true)}${header('Reason', 'reason', q, base)}${header('Share', 'share', q, base, true)}${header('Saved/day', 'saved', q, base, true)}<th scope="col">24 h</th>${header('First seen', 'firstSeen', q, base)}
</tr></thead>
<tbody>
${rows.map(
  (p) => html`<tr id="p-${p.signature}-${p.level}">
<td class="tpl"><details data-more="${detailsUrl(service, environment, p.signature, p.level, true)}"><summary><code>${p.template}</code></summary>${detailsLink(service, environment, p.signature, p.level)}</details></td>
<td><span class="lvl lvl-${p.level}">${p.level}</span></td>
<td class="num">${perSecond(p.eventsPerSecond)}</td>
<td class="num">${perSecond(p.keptPerSecond)}</td>
<td class="num">${rate(p.rate)}</td>
<td><span class="badge reason-${why(p)}">${why(p)}</span></td>
<td class="num">${percent(p.share)}</td>
<td class="num">${bytes(p.savedBytesPerDay)}</td>
<td>${sparkline(spark.get(patternKey(p.signature, p.level)))}</td>
<td class="nowrap">${when(new Date(p.firstSeen).toISOString())}</td>
</tr>`,
)}
</tbody></table></div>`
}
<nav class="pager" aria-label="Pages">
${q.page > 1 ? html`<a href="${base}&${queryString(q, { page: q.page - 1 })}" rel="prev">← Previous</a>` : ''}
<span>Page ${q.page} of ${pages}</span>
${q.page < pages ? html`<a href="${base}&${queryString(q, { page: q.page + 1 })}" rel="next">Next →</a>` : ''}
</nav>`
  const opts = {
    title: `${service} patterns`,
    session,
    service: { service, environment, tab: '' as const },
    scripts: ['patterns.js'],
  }
  return page(flash ? { ...opts, flash } : opts, body)
}

/** An expiry choice of the pin form as an ISO time (null: never). */
export function expiryOf(choice: string | undefined, now: number): string | null | undefined {
  const hours: Record<string, number> = { '1h': 1, '24h': 24, '7d': 168, '30d': 720 }
  if (choice === 'never') return null
  const h = choice === undefined ? undefined : hours[choice]
  return h === undefined ? undefined : new Date(now + h * HOUR_MS).toISOString()
}
