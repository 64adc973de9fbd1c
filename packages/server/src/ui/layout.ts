// The page shell every dashboard page shares: head, top bar, service tabs, flash messages.
import { html } from 'hono/html'
import { SERVER_VERSION } from '../version.js'
import type { UiSession } from './session.js'

export type Html = ReturnType<typeof html>

export const asset = (name: string): string => `/ui/assets/${name}?v=${SERVER_VERSION}`

/** A service/environment's address on the dashboard, with an optional tab and query. */
export function serviceUrl(service: string, environment: string, tab = '', query = ''): string {
  const q = new URLSearchParams({ environment })
  return `/ui/services/${encodeURIComponent(service)}${tab ? `/${tab}` : ''}?${q}${query ? `&${query}` : ''}`
}

export const csrfField = (session: UiSession): Html =>
  html`<input type="hidden" name="_csrf" value="${session.record.csrf}">`

const TABS = [
  ['', 'Patterns'],
  ['volume', 'Volume'],
  ['policy', 'Policy'],
  ['settings', 'Settings'],
] as const

export interface PageOptions {
  title: string
  session?: UiSession
  /** Service tabs: the service, environment and the current tab. */
  service?: { service: string; environment: string; tab: (typeof TABS)[number][0] }
  /** One line shown above the content: what just happened, or what went wrong. */
  flash?: { kind: 'ok' | 'error'; text: string }
  scripts?: string[]
}

export function page(o: PageOptions, body: Html): Html {
  const s = o.session
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${o.title} · Logsieve</title>
<link rel="stylesheet" href="${asset('app.css')}">
${(o.scripts ?? []).map((src) => html`<script src="${asset(src)}" defer></script>`)}
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
  <a class="brand" href="/ui/">Logsieve</a>
  ${
    s
      ? html`<nav aria-label="Main"><a href="/ui/">Services</a></nav>
  <div class="who"><span>${s.principal.name} <span class="badge scope-${s.principal.scope}">${s.principal.scope}</span></span>
    <form method="post" action="/ui/logout">${csrfField(s)}<button class="link" type="submit">Log out</button></form></div>`
      : ''
  }
</header>
${o.service ? serviceTabs(o.service) : ''}
<main id="main">
${s?.principal.scope === 'viewer' ? html`<p class="note" role="note">Signed in with a viewer key: you can read everything here, and changes will be refused.</p>` : ''}
${o.flash ? html`<p class="flash ${o.flash.kind}" role="${o.flash.kind === 'error' ? 'alert' : 'status'}">${o.flash.text}</p>` : ''}
${body}
</main>
</body>
</html>`
}

function serviceTabs(t: NonNullable<PageOptions['service']>): Html {
  return html`<div class="service-bar">
  <h1><span class="svc">${t.service}</span> <span class="env">${t.environment}</span></h1>
  <nav aria-label="Service" class="tabs">${TABS.map(
    ([tab, label]) =>
      html`<a href="${serviceUrl(t.service, t.environment, tab)}"${tab === t.tab ? html` aria-current="page"` : ''}>${label}</a>`,
  )}</nav>
</div>`
}
