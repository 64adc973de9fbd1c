// A service's patterns: a table the server sorts, filters, searches and pages; each row opens to its
// redacted example, member signatures and pins, and pins or unpins from there.
import { type Policy, patternKey } from '@logsieve/core'
import { html } from 'hono/html'
import type { ServerContext } from '../../context.js'
import { type PatternView, patternTable, rowViews } from '../../pattern-view.js'
import type { PinRecord } from '../../store/types.js'
import { bytes, percent, perSecond, rate, when } from '../format.js'
import { csrfField, type Html, page, serviceUrl } from '../layout.js'
import { PAGE_SIZES, type PatternQuery, queryString, selectPatterns, why } from '../pattern-query.js'
import type { UiSession } from '../session.js'
import { hourlySeen, sparkline } from '../sparkline.js'

const HOUR_MS = 3_600_000

/** Merged patterns (when a policy lists them): the member signatures of a pattern id. */
function membersOf(policy: Policy, signature: string): string[] {
  const merged = (policy as { patterns?: Array<{ id: string; members: string[] }> }).patterns
  return merged?.find((m) => m.id === signature)?.members ?? []
}

const EXPIRIES = [
  ['1h', '1 hour'],
  ['24h', '24 hours'],
  ['7d', '7 days'],
  ['30d', '30 days'],
  ['never', 'never'],
] as const

function details(
  p: PatternView,
  policy: Policy,
  pins: PinRecord[],
  session: UiSession,
  action: { pin: string; unpin: (id: number) => string },
): Html {
  const members = membersOf(policy, p.signature)
  const id = `pin-${p.signature}-${p.level}`
  return html`<div class="more">
  <p class="meta">Signature <code>${p.signature}</code> · last seen ${when(p.lastSeen)} · ${p.last24h.seen.toLocaleString('en-US')} seen, ${p.last24h.kept.toLocaleString('en-US')} kept in 24 h · ${bytes(p.bytesPerEvent)} a line</p>
  <h3>Example (redacted)</h3>
  ${p.example === null ? html`<p class="muted">No example sent (the SDK sends examples only when enabled).</p>` : html`<pre class="example">${p.example}</pre>`}
  ${members.length > 0 ? html`<h3>Member signatures</h3><p>${members.map((m) => html`<code>${m}</code> `)}</p>` : ''}
  ${
    pins.length > 0
      ? html`<h3>Pins</h3><ul class="pins">${pins.map(
          (
            pin,
          ) => html`<li>rate ${rate(pin.rate)} · ${pin.reason} · ${pin.expiresAt ? `until ${when(pin.expiresAt)}` : 'no expiry'}${pin.author ? ` · by ${pin.author}` : ''}
      <form method="post" action="${action.unpin(pin.id)}" class="inline">${csrfField(session)}<button type="submit" class="secondary">Unpin</button></form></li>`,
        )}</ul>`
      : ''
  }
  <form method="post" action="${action.pin}" class="pin-form" aria-label="Pin this pattern">
    ${csrfField(session)}
    <input type="hidden" name="signature" value="${p.signature}">
    <input type="hidden" name="level" value="${p.level}">
    <label for="${id}-rate">Rate</label>
    <input id="${id}-rate" name="rate" type="number" min="0" max="1" step="any" value="${p.rate}" required>
    <label for="${id}-exp">Expires</label>
    <select id="${id}-exp" name="expires">${EXPIRIES.map(([v, label]) => html`<option value="${v}"${v === '24h' ? ' selected' : ''}>${label}</option>`)}</select>
    <label for="${id}-why">Reason</label>
    <input id="${id}-why" name="reason" type="text" maxlength="1024" value="pinned from the dashboard" required>
    <button type="submit">Pin</button>
  </form>
</div>`
}

function header(label: string, sort: string, q: PatternQuery, base: string, numeric = false): Html {
  const active = q.sort === sort
  const dir = active && q.dir === 'desc' ? 'asc' : 'desc'
  const aria = active ? (q.dir === 'asc' ? 'ascending' : 'descending') : 'none'
  return html`<th scope="col" aria-sort="${aria}"${numeric ? html` class="num"` : ''}><a href="${base}&${queryString(q, { sort, dir, page: 1 })}">${label}${active ? (q.dir === 'asc' ? ' ▲' : ' ▼') : ''}</a></th>`
}

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal']
const REASONS = ['budget', 'floor', 'new', 'anomaly', 'pin', 'manual', 'level', 'default']

export async function patternsPage(
  ctx: ServerContext,
  session: UiSession,
  service: string,
  environment: string,
  q: PatternQuery,
  flash?: { kind: 'ok' | 'error'; text: string },
): Promise<Html> {
  // Every pattern as a light row to filter and sort; examples, counts and sparklines only for this page.
  const table = await patternTable(ctx, service, environment)
  const { policy } = table
  const patterns = table.rows
  const selected = selectPatterns(patterns, q)
  const total = selected.total
  const [rows, spark, pins] = await Promise.all([
    rowViews(ctx, service, environment, table, selected.rows),
    hourlySeen(ctx, service, environment, [...new Set(selected.rows.map((r) => r.signature))], table.at),
    ctx.store.listPins(service),
  ])
  const base = serviceUrl(service, environment)
  const pinAction = serviceUrl(service, environment, 'pins')
  const unpin = (id: number) => serviceUrl(service, environment, `pins/${id}/delete`)
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
<td class="tpl"><details><summary><code>${p.template}</code></summary>${details(
    p,
    policy,
    pins.filter((pin) => pin.signature === p.signature && (pin.level === undefined || pin.level === p.level)),
    session,
    { pin: pinAction, unpin },
  )}</details></td>
<td><span class="lvl lvl-${p.level}">${p.level}</span></td>
<td class="num">${perSecond(p.eventsPerSecond)}</td>
<td class="num">${perSecond(p.keptPerSecond)}</td>
<td class="num">${rate(p.rate)}</td>
<td><span class="badge reason-${why(p)}">${why(p)}</span></td>
<td class="num">${percent(p.share)}</td>
<td class="num">${bytes(p.savedBytesPerDay)}</td>
<td>${sparkline(spark.get(patternKey(p.signature, p.level)))}</td>
<td class="nowrap">${when(p.firstSeen)}</td>
</tr>`,
)}
</tbody></table></div>`
}
<nav class="pager" aria-label="Pages">
${q.page > 1 ? html`<a href="${base}&${queryString(q, { page: q.page - 1 })}" rel="prev">← Previous</a>` : ''}
<span>Page ${q.page} of ${pages}</span>
${q.page < pages ? html`<a href="${base}&${queryString(q, { page: q.page + 1 })}" rel="next">Next →</a>` : ''}
</nav>`
  const opts = { title: `${service} patterns`, session, service: { service, environment, tab: '' as const } }
  return page(flash ? { ...opts, flash } : opts, body)
}

/** An expiry choice of the pin form as an ISO time (null: never). */
export function expiryOf(choice: string | undefined, now: number): string | null | undefined {
  const hours: Record<string, number> = { '1h': 1, '24h': 24, '7d': 168, '30d': 720 }
  if (choice === 'never') return null
  const h = choice === undefined ? undefined : hours[choice]
  return h === undefined ? undefined : new Date(now + h * HOUR_MS).toISOString()
}
