// A pattern's details: its redacted example, member signatures and pins, with the pin form. A patterns
// row loads them when it is opened (patterns.js); without script the row links to them as a page.
import type { LevelName, Policy } from '@logsieve/core'
import { html } from 'hono/html'
import type { ServerContext } from '../../context.js'
import { ApiError, notFound } from '../../errors.js'
import { onePattern, type PatternView } from '../../pattern-view.js'
import type { PinRecord } from '../../store/types.js'
import { bytes, rate, when } from '../format.js'
import { csrfField, type Html, page, serviceUrl } from '../layout.js'
import { LEVELS } from '../pattern-query.js'
import type { UiSession } from '../session.js'

/** The `level` of a details address; 400 naming the field when it is not a level. */
export function levelParam(value: string | undefined): LevelName {
  const level = LEVELS.find((l) => l === value)
  if (!level)
    throw new ApiError(400, 'LOGSIEVE_PARAM_INVALID', `must be one of ${LEVELS.join(', ')}`, 'level')
  return level
}

/** The address of a pattern's details: a page, or with `part=more` the fragment a row loads. */
export function detailsUrl(
  service: string,
  environment: string,
  signature: string,
  level: string,
  part = false,
): string {
  const q = new URLSearchParams({ level })
  if (part) q.set('part', 'more')
  return serviceUrl(service, environment, `patterns/${encodeURIComponent(signature)}`, q.toString())
}

/** What a closed row holds until it is opened: a link to the same details as a page. */
export const detailsLink = (service: string, environment: string, signature: string, level: string): Html =>
  html`<div class="more"><p><a href="${detailsUrl(service, environment, signature, level)}">Example, pins and pin form</a></p></div>`

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
  p: Omit<PatternView, 'share'>,
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

/** A pattern's details as a fragment (`part` true) or as a page of their own; 404 for an unknown pattern. */
export async function patternDetails(
  ctx: ServerContext,
  session: UiSession,
  service: string,
  environment: string,
  signature: string,
  level: LevelName,
  part: boolean,
): Promise<Html> {
  const [found, pins] = await Promise.all([
    onePattern(ctx, service, environment, signature, level),
    ctx.store.listPins(service),
  ])
  if (!found) throw notFound(`pattern ${signature} (${level}) of ${service}/${environment}`, 'signature')
  const { pattern, policy } = found
  const more = details(
    pattern,
    policy,
    pins.filter((pin) => pin.signature === signature && (pin.level === undefined || pin.level === level)),
    session,
    {
      pin: serviceUrl(service, environment, 'pins'),
      unpin: (id) => serviceUrl(service, environment, `pins/${id}/delete`),
    },
  )
  if (part) return more
  const body = html`<h2><code>${pattern.template}</code> <span class="lvl lvl-${level}">${level}</span></h2>
<p><a href="${serviceUrl(service, environment)}">← All patterns</a></p>
${more}`
  return page({ title: `${service} pattern`, session, service: { service, environment, tab: '' } }, body)
}
