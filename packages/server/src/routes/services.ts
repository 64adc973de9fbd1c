// Admin routes about services: what the server knows (services, patterns), settings and pins.
import { parsePin, parseSettings } from '@logsieve/core'
import { Hono } from 'hono'
import { type AuthEnv, assertService, requireKey } from '../auth.js'
import { readJson } from '../body.js'
import type { ServerContext } from '../context.js'
import { ApiError, invalid, notFound } from '../errors.js'
import { defaultSettings } from '../generation/generator.js'
import { patternViews } from '../pattern-view.js'
import { serviceSeries } from '../series.js'
import { environmentParam, intParam, serviceParam } from './params.js'
import { patternGroupRoutes } from './pattern-groups.js'

const iso = (ms: number): string => new Date(ms).toISOString()
const DAY_MS = 86_400_000

export function serviceRoutes(ctx: ServerContext): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>()
  const { store, policies } = ctx
  app.use('/v1/services', requireKey(ctx.keys, 'admin'))
  app.use('/v1/services/*', requireKey(ctx.keys, 'admin'))
  app.use('/v1/patterns', requireKey(ctx.keys, 'admin'))

  app.get('/v1/services', async (c) => {
    await ctx.stats.flush()
    const scope = c.var.principal.services
    const since = ctx.options.now() - DAY_MS
    const overflow = new Map(
      (await store.overflowTotals(since)).map((o) => [`${o.service}\u0000${o.environment}`, o]),
    )
    const visible = (await store.listServices()).filter((s) => !scope || scope.has(s.service))
    const services = await Promise.all(
      visible.map(async (s) => {
        const o = overflow.get(`${s.service}\u0000${s.environment}`)
        const { policy } = await policies.load(s.service, s.environment)
        return {
          service: s.service,
          environment: s.environment,
          patterns: s.patterns,
          firstSeen: iso(s.firstSeen),
          lastSeen: iso(s.lastSeen),
          policyVersion: policy.version,
          projection: policy.projection ?? null,
          overflow24h: { seen: o?.seen ?? 0, kept: o?.kept ?? 0, bytes: o?.bytes ?? 0 },
        }
      }),
    )
    return c.json({ services }, 200)
  })

  app.get('/v1/patterns', async (c) => {
    const service = serviceParam(c.req.query('service') ?? '')
    assertService(c.var.principal, service)
    const environment = environmentParam(c.req.query('environment'))
    const limit = Math.min(20_000, intParam(c.req.query('limit'), 'limit', 1000))
    const { policy, patterns, instances } = await patternViews(ctx, service, environment)
    // `instances` reporting: the floor's lines in each projection are per instance.
    return c.json(
      { service, environment, policyVersion: policy.version, instances, patterns: patterns.slice(0, limit) },
      200,
    )
  })

  app.get('/v1/services/:service/timeseries', async (c) => {
    const service = serviceParam(c.req.param('service'))
    assertService(c.var.principal, service)
    const resolution = c.req.query('resolution') ?? 'minute'
    if (resolution !== 'minute' && resolution !== 'hour') {
      throw new ApiError(400, 'LOGSIEVE_PARAM_INVALID', 'must be "minute" or "hour"', 'resolution')
    }
    const environment = environmentParam(c.req.query('environment'))
    return c.json(await serviceSeries(ctx, service, environment, resolution), 200)
  })

  app.get('/v1/services/:service/settings', async (c) => {
    const service = serviceParam(c.req.param('service'))
    assertService(c.var.principal, service)
    return c.json((await store.getSettings(service)) ?? defaultSettings(), 200)
  })

  app.put('/v1/services/:service/settings', async (c) => {
    const service = serviceParam(c.req.param('service'))
    assertService(c.var.principal, service)
    const parsed = parseSettings(await readJson(c, ctx.options.bodyLimitBytes))
    if (!parsed.ok) throw invalid(parsed.error)
    await store.putSettings(service, parsed.value)
    return c.json(parsed.value, 200)
  })

  app.get('/v1/services/:service/pins', async (c) => {
    const service = serviceParam(c.req.param('service'))
    assertService(c.var.principal, service)
    return c.json({ service, pins: await store.listPins(service) }, 200)
  })

  app.post('/v1/services/:service/pins', async (c) => {
    const service = serviceParam(c.req.param('service'))
    assertService(c.var.principal, service)
    const parsed = parsePin(await readJson(c, ctx.options.bodyLimitBytes))
    if (!parsed.ok) throw invalid(parsed.error)
    const pin = await store.insertPin(service, parsed.value, c.var.principal.name, ctx.options.now())
    return c.json(pin, 201)
  })

  app.delete('/v1/services/:service/pins/:id', async (c) => {
    const service = serviceParam(c.req.param('service'))
    assertService(c.var.principal, service)
    const id = intParam(c.req.param('id'), 'id')
    if (!(await store.deletePin(service, id))) throw notFound(`pin ${id} of ${service}`, 'id')
    return c.json({ id, deleted: true }, 200)
  })

  app.route('/', patternGroupRoutes(ctx))
  return app
}
