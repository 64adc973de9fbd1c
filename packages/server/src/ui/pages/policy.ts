// The policy page: the current policy, its version history, a side-by-side diff of any two versions,
// rollback behind a confirmation, and "generate (dry run)" with projected savings before applying.
import {
  defaultPolicy,
  diffPolicies,
  isEmptyDiff,
  type Policy,
  type PolicyDiff,
  type Rule,
} from '@logsieve/core'
import { html } from 'hono/html'
import type { ServerContext } from '../../context.js'
import type { GenerateResult } from '../../generation/generator.js'
import { age, bytes, money, percent, rate, when } from '../format.js'
import { csrfField, type Html, page, serviceUrl } from '../layout.js'
import type { UiSession } from '../session.js'

type Flash = { kind: 'ok' | 'error'; text: string }

/** A version of a service's policy: the current one is cached, older ones come from the store. */
export async function policyVersion(
  ctx: ServerContext,
  service: string,
  environment: string,
  version: number,
): Promise<Policy | undefined> {
  const { policy } = await ctx.policies.load(service, environment)
  if (version === policy.version) return policy
  // Version 0 is the default policy SDKs ran on before the first version.
  return version > 0
    ? ctx.store.getPolicy(service, environment, version)
    : defaultPolicy(service, environment)
}

const ruleLabel = (r: Pick<Rule, 'signature' | 'template' | 'level'>): Html =>
  html`<code>${r.template ?? r.signature}</code>${r.level ? html` <span class="lvl lvl-${r.level}">${r.level}</span>` : ''}`
const ruleCell = (r: Pick<Rule, 'rate' | 'reason'>): Html =>
  html`rate ${rate(r.rate)} <span class="badge reason-${r.reason}">${r.reason}</span>`

function projectionText(p: Policy['projection']): string {
  if (!p) return 'no projection'
  const cut = p.bytesPerDayBefore > 0 ? 1 - p.bytesPerDayAfter / p.bytesPerDayBefore : 0
  return `${bytes(p.bytesPerDayBefore)}/day → ${bytes(p.bytesPerDayAfter)}/day (−${percent(cut)})`
}

/** Two versions side by side: only what differs. */
export function diffTable(d: PolicyDiff): Html {
  const same = isEmptyDiff(d)
  const setting = (path: string, v: unknown) =>
    typeof v === 'number' && path.startsWith('defaults.levels.')
      ? rate(v)
      : v === undefined
        ? 'unset'
        : JSON.stringify(v)
  return html`<table class="diff">
<caption>Version ${d.from} (left) against version ${d.to} (right)${same ? ': same rules and defaults' : ''}</caption>
<thead><tr><th scope="col">Pattern</th><th scope="col">v${d.from}</th><th scope="col">v${d.to}</th></tr></thead>
<tbody>
${d.changed.map((c) => html`<tr class="changed"><th scope="row">${ruleLabel(c)}</th><td>${ruleCell(c.from as Rule)}</td><td>${ruleCell(c.to as Rule)}</td></tr>`)}
${d.added.map((c) => html`<tr class="added"><th scope="row">${ruleLabel(c)}</th><td class="muted">no rule</td><td><ins>${ruleCell(c.to as Rule)}</ins></td></tr>`)}
${d.removed.map((c) => html`<tr class="removed"><th scope="row">${ruleLabel(c)}</th><td><del>${ruleCell(c.from as Rule)}</del></td><td class="muted">no rule</td></tr>`)}
${d.settings.map((s) => html`<tr class="changed"><th scope="row">${s.path}</th><td>${setting(s.path, s.from)}</td><td>${setting(s.path, s.to)}</td></tr>`)}
<tr><th scope="row">projection</th><td>${projectionText(d.projection.from)}</td><td>${projectionText(d.projection.to)}</td></tr>
</tbody></table>`
}

export async function policyPage(
  ctx: ServerContext,
  session: UiSession,
  service: string,
  environment: string,
  compare: { from?: number; to?: number },
  flash?: Flash,
): Promise<Html> {
  const now = ctx.options.now()
  const { policy } = await ctx.policies.load(service, environment)
  const history = await ctx.store.listPolicies(service, environment, 100)
  const to = compare.to ?? policy.version
  const from = compare.from ?? Math.max(0, to - 1)
  const [a, b] = await Promise.all([
    policyVersion(ctx, service, environment, from),
    policyVersion(ctx, service, environment, to),
  ])
  const url = (tab: string) => serviceUrl(service, environment, tab)
  const rules = [...policy.rules].sort((x, y) => x.rate - y.rate)
  const body = html`
<section aria-labelledby="current">
<h2 id="current">Current policy: v${policy.version}</h2>
<p>${policy.version === 0 ? 'Defaults: no policy generated yet.' : html`${policy.source}${policy.author ? ` by ${policy.author}` : ''}, ${policy.createdAt ? age(Date.parse(policy.createdAt), now) : ''}${policy.reason ? html` · <q>${policy.reason}</q>` : ''}`}</p>
<p>${policy.rules.length} rules · floor ${policy.defaults.floorPerMinute} a minute · always kept: ${policy.defaults.alwaysKeep.join(', ')} · projection: ${projectionText(policy.projection)}</p>
<form method="post" action="${url('policy/generate')}" class="inline">${csrfField(session)}<input type="hidden" name="mode" value="dry"><button type="submit">Generate (dry run)</button></form>
${
  rules.length > 0
    ? html`<details class="rules"><summary>All ${rules.length} rules</summary>
<table><thead><tr><th scope="col">Pattern</th><th scope="col">Rate</th><th scope="col">Reason</th><th scope="col">Expires</th></tr></thead>
<tbody>${rules.map((r) => html`<tr><td>${ruleLabel(r)}</td><td class="num">${rate(r.rate)}</td><td><span class="badge reason-${r.reason}">${r.reason}</span></td><td>${r.expiresAt ? when(r.expiresAt) : '—'}</td></tr>`)}</tbody></table></details>`
    : ''
}
</section>
<section aria-labelledby="history">
<h2 id="history">History</h2>
${
  history.length === 0
    ? html`<p class="empty">No stored versions yet.</p>`
    : html`
<form method="get" action="/ui/services/${encodeURIComponent(service)}/policy">
<input type="hidden" name="environment" value="${environment}">
<table class="history"><caption class="visually-hidden">Policy versions, newest first; pick two to compare</caption>
<thead><tr><th scope="col">From</th><th scope="col">To</th><th scope="col">Version</th><th scope="col">Source</th><th scope="col">Author</th><th scope="col">Reason</th><th scope="col">Created</th><th scope="col" class="num">Rules</th><th scope="col">Projected</th><th scope="col"><span class="visually-hidden">Action</span></th></tr></thead>
<tbody>${history.map(
        (v) => html`<tr${v.version === policy.version ? html` class="current"` : ''}>
<td><input type="radio" name="from" value="${v.version}" aria-label="compare from v${v.version}"${v.version === from ? ' checked' : ''}></td>
<td><input type="radio" name="to" value="${v.version}" aria-label="compare to v${v.version}"${v.version === to ? ' checked' : ''}></td>
<td>v${v.version}${v.version === policy.version ? ' (current)' : ''}</td><td>${v.source}</td><td>${v.author ?? ''}</td><td>${v.reason ?? ''}</td>
<td class="nowrap">${v.createdAt ? when(v.createdAt) : ''}</td><td class="num">${v.rules}</td><td>${projectionText(v.projection)}</td>
<td>${v.version === policy.version ? '' : html`<a href="${url(`policy/rollback/${v.version}`)}">Roll back to v${v.version}</a>`}</td></tr>`,
      )}</tbody></table>
<button type="submit">Compare</button>
</form>`
}
</section>
<section aria-labelledby="diff">
<h2 id="diff">Diff</h2>
${a && b ? diffTable(diffPolicies(a, b)) : html`<p class="muted">Pick two stored versions to compare.</p>`}
</section>`
  const opts = {
    title: `${service} policy`,
    session,
    service: { service, environment, tab: 'policy' as const },
  }
  return page(flash ? { ...opts, flash } : opts, body)
}

export async function rollbackConfirmPage(
  ctx: ServerContext,
  session: UiSession,
  service: string,
  environment: string,
  target: Policy,
): Promise<Html> {
  const { policy } = await ctx.policies.load(service, environment)
  const body = html`<section aria-labelledby="confirm">
<h2 id="confirm">Roll back to v${target.version}?</h2>
<p>This publishes a copy of v${target.version} as v${policy.version + 1}; SDKs pick it up at their next refresh or at once over the stream. Nothing is deleted: you can roll forward again from the history.</p>
${diffTable(diffPolicies(policy, target))}
<form method="post" action="${serviceUrl(service, environment, `policy/rollback/${target.version}`)}" class="confirm">
${csrfField(session)}
<button type="submit" class="danger">Roll back to v${target.version}</button>
<a href="${serviceUrl(service, environment, 'policy')}">Cancel</a>
</form></section>`
  return page(
    { title: `Roll back ${service}`, session, service: { service, environment, tab: 'policy' } },
    body,
  )
}

export async function dryRunPage(
  ctx: ServerContext,
  session: UiSession,
  service: string,
  environment: string,
  result: GenerateResult,
): Promise<Html> {
  const { policy } = await ctx.policies.load(service, environment)
  const p = result.projection
  const saved = p ? p.bytesPerDayBefore - p.bytesPerDayAfter : 0
  const costSaved =
    p?.costPerDayBefore !== undefined && p.costPerDayAfter !== undefined
      ? (p.costPerDayBefore - p.costPerDayAfter) * 30
      : undefined
  const body = html`<section aria-labelledby="dry">
<h2 id="dry">Generate (dry run)</h2>
${
  p
    ? html`<dl class="figures wide">
<div><dt>Before</dt><dd>${bytes(p.bytesPerDayBefore)}/day</dd></div>
<div><dt>After</dt><dd>${bytes(p.bytesPerDayAfter)}/day</dd></div>
<div><dt>Saved</dt><dd>${bytes(saved)}/day${p.bytesPerDayBefore > 0 ? html`<span class="sub">${percent(saved / p.bytesPerDayBefore)}</span>` : ''}</dd></div>
${costSaved !== undefined ? html`<div><dt>Cost saved</dt><dd>${money(costSaved)}/month</dd></div>` : ''}
<div><dt>Budget</dt><dd>${p.budgetBytesPerDay ? `${bytes(p.budgetBytesPerDay)}/day` : 'none'}${result.overBudget ? html`<span class="sub bad">over budget</span>` : ''}</dd></div>
</dl>`
    : ''
}
<p>${result.changed ? `Applying would publish v${policy.version + 1} with ${result.policy.rules.length} rules.` : 'The rules would not change: applying stores no new version.'}</p>
${diffTable(diffPolicies(policy, result.policy))}
<form method="post" action="${serviceUrl(service, environment, 'policy/generate')}" class="confirm">
${csrfField(session)}<input type="hidden" name="mode" value="apply">
<button type="submit">Apply</button>
<a href="${serviceUrl(service, environment, 'policy')}">Cancel</a>
</form></section>`
  return page(
    { title: `Generate ${service}`, session, service: { service, environment, tab: 'policy' } },
    body,
  )
}
