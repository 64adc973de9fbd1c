// The services overview: per service and environment, volume before and after, cost, budget, errors
// kept, instances reporting, policy version and age.
import type { Policy, Settings } from '@logsieve/core'
import { html } from 'hono/html'
import type { ServerContext } from '../../context.js'
import { defaultSettings } from '../../generation/generator.js'
import { REPORTING_MS } from '../../instances.js'
import type { SeriesPoint } from '../../store/types.js'
import { age, bytes, money, percent } from '../format.js'
import { type Html, page, serviceUrl } from '../layout.js'
import type { UiSession } from '../session.js'

const DAY_MS = 86_400_000
/** An instance counts as reporting if its stats arrived within this long. */

export interface ServiceSummary {
  service: string
  environment: string
  patterns: number
  /** Plain bytes per day seen (measured over the stored minutes of the last 24 h). */
  beforePerDay: number
  /** Written bytes per day kept. */
  afterPerDay: number
  costPerGB: number
  errorsSeen: number
  errorsKept: number
  instances: number
  policy: Policy
}

/** Bytes per day of a minute series, over the span it covers (a service seen for an hour is not a day). */
function perDay(points: SeriesPoint[], field: 'plainBytes' | 'keptBytes'): number {
  if (points.length === 0) return 0
  const span = points[points.length - 1]!.t - points[0]!.t + 60_000
  let sum = 0
  for (const p of points) sum += p[field]
  return (sum * DAY_MS) / span
}

const isError = (level: string) => level === 'error' || level === 'fatal'

/** Error and fatal lines seen and kept since `sinceMs`: only the minutes of error patterns are summed. */
async function errorsSince(ctx: ServerContext, service: string, environment: string, sinceMs: number) {
  const signatures = new Set<string>()
  for (const p of await ctx.store.patternColumns(service, environment)) {
    if (isError(p.level)) signatures.add(p.signature)
  }
  const errors = { seen: 0, kept: 0 }
  if (signatures.size === 0) return errors
  for (const t of await ctx.store.patternTotals(service, environment, sinceMs, [...signatures])) {
    if (!isError(t.level)) continue
    errors.seen += t.seen
    errors.kept += t.kept
  }
  return errors
}

export async function summarize(ctx: ServerContext, session: UiSession): Promise<ServiceSummary[]> {
  await ctx.stats.flush()
  const now = ctx.options.now()
  const allowed = session.principal.services
  const services = (await ctx.store.listServices()).filter((s) => !allowed || allowed.has(s.service))
  return Promise.all(
    services.map(async (s) => {
      const [series, errors, settings, { policy }] = await Promise.all([
        ctx.store.timeSeries(s.service, s.environment, 'minute', now - DAY_MS),
        errorsSince(ctx, s.service, s.environment, now - DAY_MS),
        ctx.store.getSettings(s.service),
        ctx.policies.load(s.service, s.environment),
      ])
      return {
        service: s.service,
        environment: s.environment,
        patterns: s.patterns,
        beforePerDay: perDay(series, 'plainBytes'),
        afterPerDay: perDay(series, 'keptBytes'),
        costPerGB: (settings ?? defaultSettings()).costPerGB,
        errorsSeen: errors.seen,
        errorsKept: errors.kept,
        instances: await ctx.instances.count(s.service, s.environment, now - REPORTING_MS),
        policy,
      }
    }),
  )
}

const monthly = (bytesPerDay: number, costPerGB: number): string =>
  money((bytesPerDay / 1e9) * costPerGB * 30)

function gauge(policy: Policy, settings: Settings['budget'] | undefined): Html {
  const p = policy.projection
  const budget = p?.budgetBytesPerDay
  if (!p || !budget) {
    return html`<p class="muted">${settings ? 'Budget set; no projection until the next generation.' : 'No budget set.'}</p>`
  }
  const over = p.overBudget === true || p.bytesPerDayAfter > budget * 1.0001
  const share = p.bytesPerDayAfter / budget
  return html`<div class="gauge${over ? ' over' : ''}">
    <meter min="0" max="${Math.max(budget, p.bytesPerDayAfter)}" low="${budget * 0.8}" high="${budget}" optimum="0" value="${p.bytesPerDayAfter}" aria-label="Projected volume against budget">${percent(share)}</meter>
    <p>${
      over
        ? html`<strong class="bad">Over budget${p.bytesPerDayAfter > budget ? ` by ${bytes(p.bytesPerDayAfter - budget)}/day` : ''}:</strong> projected ${bytes(p.bytesPerDayAfter)}/day against a budget of ${bytes(budget)}/day (${percent(share)})`
        : html`Within budget: projected ${bytes(p.bytesPerDayAfter)}/day of ${bytes(budget)}/day (${percent(share)})`
    }</p>
  </div>`
}

export async function servicesPage(ctx: ServerContext, session: UiSession): Promise<Html> {
  const now = ctx.options.now()
  const rows = await summarize(ctx, session)
  const settings = new Map(
    await Promise.all(
      rows.map(async (r) => [r.service, (await ctx.store.getSettings(r.service))?.budget] as const),
    ),
  )
  const body =
    rows.length === 0
      ? html`<h1>Services</h1><p class="empty">No service has sent stats yet. Point an SDK at this server with an ingest key and its patterns appear here within a minute.</p>`
      : html`<h1>Services</h1>
<ul class="cards">
${rows.map((r) => {
  const created = r.policy.createdAt ? Date.parse(r.policy.createdAt) : undefined
  const saved = r.beforePerDay > 0 ? 1 - r.afterPerDay / r.beforePerDay : 0
  return html`<li class="card">
  <h2><a href="${serviceUrl(r.service, r.environment)}">${r.service}</a> <span class="env">${r.environment}</span></h2>
  <dl class="figures">
    <div><dt>Before</dt><dd>${bytes(r.beforePerDay)}/day<span class="sub">${monthly(r.beforePerDay, r.costPerGB)}/month</span></dd></div>
    <div><dt>After</dt><dd>${bytes(r.afterPerDay)}/day<span class="sub">${monthly(r.afterPerDay, r.costPerGB)}/month</span></dd></div>
    <div><dt>Saved</dt><dd>${percent(Math.max(0, saved))}<span class="sub">${monthly(Math.max(0, r.beforePerDay - r.afterPerDay), r.costPerGB)}/month</span></dd></div>
    <div><dt>Errors kept</dt><dd>${r.errorsKept.toLocaleString('en-US')} of ${r.errorsSeen.toLocaleString('en-US')}<span class="sub">last 24 h</span></dd></div>
    <div><dt>Instances</dt><dd>${r.instances}<span class="sub">reporting (10 min)</span></dd></div>
    <div><dt>Policy</dt><dd>v${r.policy.version}<span class="sub">${created === undefined ? 'defaults' : `${r.policy.source}, ${age(created, now)}`}</span></dd></div>
  </dl>
  ${gauge(r.policy, settings.get(r.service) ?? undefined)}
  <p class="links"><a href="${serviceUrl(r.service, r.environment)}">${r.patterns.toLocaleString('en-US')} patterns</a> · <a href="${serviceUrl(r.service, r.environment, 'volume')}">volume</a> · <a href="${serviceUrl(r.service, r.environment, 'policy')}">policy</a> · <a href="${serviceUrl(r.service, r.environment, 'settings')}">settings</a></p>
</li>`
})}
</ul>`
  return page({ title: 'Services', session }, body)
}
