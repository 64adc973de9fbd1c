// The dashboard at /ui/: server-rendered pages over the same store and policy hub as the API. Sessions
// instead of keys, a CSRF token on every write, a CSP that allows no inline script, viewers read only.

import { type ContractError, parsePin, parseSettings } from '@logsieve/core'
import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { getCookie } from 'hono/cookie'
import { html } from 'hono/html'
import { assertMayChange, clientAddress } from '../auth.js'
import type { ServerContext } from '../context.js'
import { ApiError, notFound } from '../errors.js'
import { defaultSettings } from '../generation/generator.js'
import { rollback } from '../routes/admin-policies.js'
import { intParam, type ServiceRequest, serviceTarget } from '../routes/params.js'
import { serveAsset } from './assets.js'
import { page, serviceUrl } from './layout.js'
import { loginPage } from './pages/login.js'
import { levelParam, patternDetails } from './pages/pattern-details.js'
import { expiryOf, patternsPage } from './pages/patterns.js'
import { dryRunPage, policyPage, policyVersion, rollbackConfirmPage } from './pages/policy.js'
import { servicesPage } from './pages/services.js'
import { formFromSettings, settingsFromForm, settingsPage } from './pages/settings.js'
import { volumePage } from './pages/volume.js'
import { patternQuery } from './pattern-query.js'
import {
  endSession,
  LOGIN_CSRF_COOKIE,
  randomToken,
  requireSession,
  sameToken,
  setUiCookie,
  startSession,
  type UiEnv,
} from './session.js'

const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ')

/** What a redirect's `done=` says on the next page (fixed texts: nothing from the URL is echoed). */
const DONE: Record<string, string> = {
  pinned: 'Pinned. The policy now carries the pin.',
  'pinned-later': 'Pinned. It applies from the next generation (no stats to generate from yet).',
  unpinned: 'Unpinned. The policy no longer carries the pin.',
  rolledback: 'Rolled back: a copy of that version is now the current policy.',
  generated: 'Generated and published a new version.',
  unchanged: 'Generated: the rules did not change, so no new version was stored.',
}

/** A validation error as a sentence naming the field, without the code in front. */
const described = (e: ContractError): string => e.message.replace(`${e.code}: `, '')

export function uiRoutes(ctx: ServerContext): Hono<UiEnv> {
  const app = new Hono<UiEnv>()
  const { store } = ctx

  app.use('/ui/*', async (c, next) => {
    await next()
    c.header('Content-Security-Policy', CSP)
    c.header('X-Content-Type-Options', 'nosniff')
    c.header('X-Frame-Options', 'DENY')
    c.header('Referrer-Policy', 'same-origin')
    if (!c.res.headers.has('Cache-Control')) c.header('Cache-Control', 'no-store')
  })
  app.use('/ui/*', bodyLimit({ maxSize: ctx.options.bodyLimitBytes }))
  app.get('/ui', (c) => c.redirect('/ui/', 301))
  app.get('/ui/assets/:name', serveAsset)

  app.get('/ui/login', (c) => {
    const token = randomToken()
    setUiCookie(c, ctx, LOGIN_CSRF_COOKIE, token, 3600)
    return c.html(loginPage(token))
  })
  app.post('/ui/login', async (c) => {
    const form = await c.req.parseBody()
    const token = randomToken()
    const again = (status: 400 | 401 | 403 | 429, message: string) => {
      setUiCookie(c, ctx, LOGIN_CSRF_COOKIE, token, 3600)
      return c.html(loginPage(token, message), status)
    }
    if (!sameToken(getCookie(c, LOGIN_CSRF_COOKIE), String(form._csrf ?? ''))) {
      return again(400, 'The login form expired; please try again.')
    }
    // Failed and successful attempts share one bucket per client address: guessing keys is throttled.
    if (!ctx.keys.allow('ui-login', () => clientAddress(c, ctx.keys.trustProxy))) {
      return again(429, 'Too many attempts; wait a second and try again.')
    }
    const principal = typeof form.key === 'string' ? await ctx.keys.verify(form.key.trim()) : undefined
    if (!principal) return again(401, 'That key is not valid (unknown or revoked).')
    if (principal.scope === 'ingest') {
      return again(403, 'Ingest keys cannot open the dashboard: use an admin or a viewer key.')
    }
    await startSession(c, ctx, principal)
    setUiCookie(c, ctx, LOGIN_CSRF_COOKIE, '', 0)
    return c.redirect('/ui/', 303)
  })

  app.use('/ui/*', requireSession(ctx))
  // Every write carries the session's CSRF token; the parsed form is kept for the handler.
  app.use('/ui/*', async (c, next) => {
    if (c.req.method !== 'POST') return next()
    const form = await c.req.parseBody()
    if (!sameToken(typeof form._csrf === 'string' ? form._csrf : undefined, c.var.session.record.csrf)) {
      throw new ApiError(
        403,
        'LOGSIEVE_CSRF',
        'the form carried no valid CSRF token; reload the page and try again',
      )
    }
    await next()
  })
  // Handlers read the form parsed above (Hono caches the parsed body on the request).
  const form = async (c: { req: { parseBody(): Promise<Record<string, unknown>> } }) =>
    (await c.req.parseBody()) as Record<string, string | undefined>

  app.post('/ui/logout', async (c) => {
    await endSession(c, ctx)
    return c.redirect('/ui/login', 303)
  })

  app.get('/ui/', async (c) => c.html(await servicesPage(ctx, c.var.session)))

  /** The service and environment of a service route, checked against the session's key. */
  const target = (c: ServiceRequest & { var: UiEnv['Variables'] }) =>
    serviceTarget(c, c.var.session.principal)
  /** Writes: the target, after refusing viewers. */
  const writeTarget = (c: Parameters<typeof target>[0]) => {
    assertMayChange(c.var.session.principal)
    return target(c)
  }
  const doneFlash = (done: string | undefined) =>
    done && DONE[done] ? { kind: 'ok' as const, text: DONE[done]! } : undefined

  app.get('/ui/services/:service', async (c) => {
    const { service, environment } = target(c)
    const q = patternQuery((n) => c.req.query(n))
    return c.html(
      await patternsPage(ctx, c.var.session, service, environment, q, doneFlash(c.req.query('done'))),
    )
  })

  app.get('/ui/services/:service/patterns/:signature', async (c) => {
    const { service, environment } = target(c)
    const level = levelParam(c.req.query('level'))
    const part = c.req.query('part') === 'more'
    return c.html(
      await patternDetails(ctx, c.var.session, service, environment, c.req.param('signature'), level, part),
    )
  })

  app.post('/ui/services/:service/pins', async (c) => {
    const { service, environment } = writeTarget(c)
    const f = await form(c)
    const parsed = parsePin({
      signature: f.signature,
      level: f.level || undefined,
      rate: f.rate === undefined || f.rate === '' ? undefined : Number(f.rate),
      reason: f.reason,
      expiresAt: expiryOf(f.expires, ctx.options.now()),
    })
    if (!parsed.ok) {
      const q = patternQuery(() => undefined)
      const flash = {
        kind: 'error' as const,
        text: `Not pinned: ${described(parsed.error)}`,
      }
      return c.html(await patternsPage(ctx, c.var.session, service, environment, q, flash), 400)
    }
    await store.insertPin(service, parsed.value, c.var.session.principal.name, ctx.options.now())
    const done = await regenerate(
      service,
      environment,
      c.var.session.principal.name,
      'pinned',
      'pinned-later',
    )
    const anchor = `#p-${parsed.value.signature}-${parsed.value.level ?? ''}`
    return c.redirect(`${serviceUrl(service, environment, '', `done=${done}`)}${anchor}`, 303)
  })

  app.post('/ui/services/:service/pins/:id/delete', async (c) => {
    const { service, environment } = writeTarget(c)
    const id = intParam(c.req.param('id'), 'id')
    if (!(await store.deletePin(service, id))) throw notFound(`pin ${id} of ${service}`, 'id')
    const done = await regenerate(service, environment, c.var.session.principal.name, 'unpinned', 'unpinned')
    return c.redirect(serviceUrl(service, environment, '', `done=${done}`), 303)
  })

  /** Generates after a pin changed, so the policy carries it now; without stats it waits for the next run. */
  async function regenerate(
    service: string,
    environment: string,
    author: string,
    done: string,
    later: string,
  ) {
    try {
      await ctx.generation.generate(service, environment, { author, reason: `${done} from the dashboard` })
      return done
    } catch (err) {
      if (err instanceof ApiError && err.code === 'LOGSIEVE_NO_STATS') return later
      throw err
    }
  }

  app.get('/ui/services/:service/volume', async (c) => {
    const { service, environment } = target(c)
    return c.html(await volumePage(ctx, c.var.session, service, environment))
  })

  app.get('/ui/services/:service/policy', async (c) => {
    const { service, environment } = target(c)
    const num = (n: string) => {
      const v = c.req.query(n)
      return v === undefined || v === '' ? undefined : intParam(v, n)
    }
    const compare = { from: num('from'), to: num('to') }
    return c.html(
      await policyPage(ctx, c.var.session, service, environment, compare, doneFlash(c.req.query('done'))),
    )
  })

  const rollbackTarget = async (
    c: Parameters<typeof target>[0] & { req: { param(n: 'version'): string } },
    write: boolean,
  ) => {
    const { service, environment } = write ? writeTarget(c) : target(c)
    const v = intParam(c.req.param('version'), 'version')
    const old = await policyVersion(ctx, service, environment, v)
    if (!old) throw notFound(`policy ${service}/${environment} version ${v}`, 'version')
    return { service, environment, old }
  }
  app.get('/ui/services/:service/policy/rollback/:version', async (c) => {
    const { service, environment, old } = await rollbackTarget(c, false)
    return c.html(await rollbackConfirmPage(ctx, c.var.session, service, environment, old))
  })
  app.post('/ui/services/:service/policy/rollback/:version', async (c) => {
    const { service, environment, old } = await rollbackTarget(c, true)
    await rollback(ctx, old, c.var.session.principal.name)
    return c.redirect(serviceUrl(service, environment, 'policy', 'done=rolledback'), 303)
  })

  app.post('/ui/services/:service/policy/generate', async (c) => {
    const { service, environment } = writeTarget(c)
    const dryRun = (await form(c)).mode !== 'apply'
    const result = await ctx.generation.generate(service, environment, {
      dryRun,
      author: c.var.session.principal.name,
      reason: dryRun ? undefined : 'generated from the dashboard',
    })
    if (dryRun) return c.html(await dryRunPage(ctx, c.var.session, service, environment, result))
    return c.redirect(
      serviceUrl(service, environment, 'policy', `done=${result.stored ? 'generated' : 'unchanged'}`),
      303,
    )
  })

  app.get('/ui/services/:service/settings', async (c) => {
    const { service, environment } = target(c)
    const current = (await store.getSettings(service)) ?? defaultSettings()
    return c.html(settingsPage(c.var.session, service, environment, formFromSettings(current)))
  })
  app.post('/ui/services/:service/settings', async (c) => {
    const { service, environment } = writeTarget(c)
    const f = await form(c)
    const current = (await store.getSettings(service)) ?? defaultSettings()
    const parsed = parseSettings(settingsFromForm(f as Record<string, string>, current))
    if (!parsed.ok) {
      const error = {
        message: parsed.error.message,
        ...(parsed.error.field ? { field: parsed.error.field } : {}),
      }
      return c.html(
        settingsPage(c.var.session, service, environment, f as Record<string, string>, { error }),
        400,
      )
    }
    await store.putSettings(service, parsed.value)
    return c.html(
      settingsPage(c.var.session, service, environment, formFromSettings(parsed.value), { saved: true }),
    )
  })

  app.onError((err, c) => {
    const status = err instanceof ApiError ? err.status : 500
    if (!(err instanceof ApiError)) ctx.logger.error({ err, path: c.req.path }, 'dashboard request failed')
    const message = err instanceof ApiError ? err.message : 'internal error; see the server log'
    const session = c.get('session')
    return c.html(
      page(
        { title: 'Refused', ...(session ? { session } : {}), flash: { kind: 'error', text: message } },
        html`<p><a href="/ui/">Back to the services</a></p>`,
      ),
      status,
    )
  })
  return app
}
