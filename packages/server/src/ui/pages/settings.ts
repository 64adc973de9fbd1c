// Settings: budget, floor, cost per GB and the boost settings. The form is checked by the same validator
// as `PUT /v1/services/:service/settings`, and its errors are shown beside the field they name.
import type { Settings } from '@logsieve/core'
import { html } from 'hono/html'
import { csrfField, type Html, page, serviceUrl } from '../layout.js'
import type { UiSession } from '../session.js'

const BUDGET_KINDS = [
  ['none', 'No budget'],
  ['bytesPerDay', 'GB per day'],
  ['eventsPerSecond', 'Lines per second'],
  ['reduction', 'Reduction (0–1: 0.9 keeps a tenth)'],
] as const

const NUMBERS = [
  ['floorPerMinute', 'Floor: lines kept per pattern per minute, at least'],
  ['costPerGB', 'Cost per GB ingested ($)'],
  ['baselineSeconds', 'Baseline: seconds after a service first reports in which no pattern counts as new'],
  ['boostSeconds', 'Boost: seconds a new or anomalous pattern is kept whole'],
  ['boostMaxPerSecond', 'Boost cap: lines per second per instance while boosted'],
] as const

export type SettingsForm = Record<string, string>

/** The form's fields as a settings document (numbers as typed; the validator judges them). */
export function settingsFromForm(form: SettingsForm, current: Settings): unknown {
  const num = (v: string | undefined): number | undefined =>
    v === undefined || v.trim() === '' ? undefined : Number(v)
  const kind = form.budgetKind ?? 'none'
  const value = num(form.budgetValue)
  let budget: unknown = null
  if (kind === 'bytesPerDay') budget = { bytesPerDay: value === undefined ? undefined : value * 1e9 }
  else if (kind === 'eventsPerSecond' || kind === 'reduction') budget = { [kind]: value }
  const doc: Record<string, unknown> = { ...current, budget }
  for (const [name] of NUMBERS) doc[name] = num(form[name])
  return doc
}

/** The form's values for the current settings. */
export function formFromSettings(s: Settings): SettingsForm {
  const form: SettingsForm = { budgetKind: 'none', budgetValue: '' }
  const b = s.budget
  if (b && 'bytesPerDay' in b)
    Object.assign(form, { budgetKind: 'bytesPerDay', budgetValue: String(b.bytesPerDay / 1e9) })
  else if (b && 'eventsPerSecond' in b)
    Object.assign(form, { budgetKind: 'eventsPerSecond', budgetValue: String(b.eventsPerSecond) })
  else if (b && 'reduction' in b)
    Object.assign(form, { budgetKind: 'reduction', budgetValue: String(b.reduction) })
  for (const [name] of NUMBERS) form[name] = String(s[name])
  return form
}

/** Which input an error's field belongs to. */
const inputOf = (field: string | undefined): string =>
  field === undefined ? '' : field.startsWith('budget') ? 'budgetValue' : field.split('.')[0]!

export function settingsPage(
  session: UiSession,
  service: string,
  environment: string,
  form: SettingsForm,
  result?: { error?: { field?: string; message: string }; saved?: boolean },
): Html {
  const err = result?.error
  const bad = inputOf(err?.field)
  const invalid = (name: string) =>
    bad === name ? html` aria-invalid="true" aria-describedby="err-${name}"` : ''
  const message = (name: string) =>
    bad === name ? html`<p class="field-error" id="err-${name}">${err!.message}</p>` : ''
  const body = html`<section aria-labelledby="settings">
<h2 id="settings">Settings</h2>
<p class="muted">Settings apply to every environment of ${service}; the next generation uses them.</p>
<form method="post" action="${serviceUrl(service, environment, 'settings')}" class="settings" novalidate>
${csrfField(session)}
<fieldset><legend>Budget</legend>
${BUDGET_KINDS.map(
  ([kind, label]) =>
    html`<label class="radio"><input type="radio" name="budgetKind" value="${kind}"${form.budgetKind === kind ? ' checked' : ''}> ${label}</label>`,
)}
<label for="budgetValue">Budget value</label>
<input id="budgetValue" name="budgetValue" type="text" inputmode="decimal" value="${form.budgetValue ?? ''}"${invalid('budgetValue')}>
${message('budgetValue')}
</fieldset>
${NUMBERS.map(
  ([name, label]) => html`<div class="field"><label for="${name}">${label}</label>
<input id="${name}" name="${name}" type="text" inputmode="decimal" value="${form[name] ?? ''}"${invalid(name)}>
${message(name)}</div>`,
)}
${err && bad === '' ? html`<p class="field-error">${err.message}</p>` : ''}
<button type="submit">Save settings</button>
</form></section>`
  const flash = err
    ? { kind: 'error' as const, text: `Not saved: ${err.message}` }
    : result?.saved
      ? { kind: 'ok' as const, text: 'Settings saved.' }
      : undefined
  const opts = {
    title: `${service} settings`,
    session,
    service: { service, environment, tab: 'settings' as const },
  }
  return page(flash ? { ...opts, flash } : opts, body)
}
