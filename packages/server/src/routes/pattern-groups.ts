// Admin routes about merged patterns (issue 15): list a service's patterns with their members, split one or
// forbid a merge (stored, so every later generation keeps those signatures apart), and undo that.
import { parsePatternForbid, parsePatternSplit } from '@logsieve/core'
import { Hono } from 'hono'
import type { AuthEnv, Principal } from '../auth.js'
import { readJson } from '../body.js'
import type { ServerContext } from '../context.js'
import { invalid, notFound } from '../errors.js'
import { intParam, type ServiceRequest, serviceTarget } from './params.js'

/** Mounted inside serviceRoutes, behind its admin-key middleware for /v1/services/*. */
export function patternGroupRoutes(ctx: ServerContext): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>()
  const { store, policies } = ctx
  const target = (c: ServiceRequest & { var: { principal: Principal } }) => serviceTarget(c, c.var.principal)
  const base = '/v1/services/:service/pattern-groups'

  app.get(base, async (c) => {
    const { service, environment } = target(c)
    const { policy } = await policies.load(service, environment)
    const rules = new Map(policy.rules.map((r) => [r.signature, r]))
    const patterns = (policy.patterns ?? []).map((p) => {
      const rule = rules.get(p.id)
      return { ...p, level: rule?.level ?? null, rate: rule?.rate ?? null }
    })
    const separations = await store.listSeparations(service, environment)
    return c.json({ service, environment, policyVersion: policy.version, patterns, separations }, 200)
  })

  app.post(`${base}/split`, async (c) => {
    const { service, environment } = target(c)
    const parsed = parsePatternSplit(await readJson(c, ctx.options.bodyLimitBytes))
    if (!parsed.ok) throw invalid(parsed.error)
    const id = parsed.value.pattern
    const { policy } = await policies.load(service, environment)
    const pattern = policy.patterns?.find((p) => p.id === id)
    if (!pattern) throw notFound(`pattern ${id} of ${service}/${environment}`, 'pattern')
    const separation = { kind: 'split' as const, pattern: id, signatures: pattern.members }
    const at = ctx.options.now()
    return c.json(
      await store.insertSeparation(service, environment, separation, c.var.principal.name, at),
      201,
    )
  })

  app.post(`${base}/forbid`, async (c) => {
    const { service, environment } = target(c)
    const parsed = parsePatternForbid(await readJson(c, ctx.options.bodyLimitBytes))
    if (!parsed.ok) throw invalid(parsed.error)
    const { signatures } = parsed.value
    const separation = { kind: 'forbid' as const, pattern: undefined, signatures }
    const at = ctx.options.now()
    return c.json(
      await store.insertSeparation(service, environment, separation, c.var.principal.name, at),
      201,
    )
  })

  app.delete(`${base}/separations/:id`, async (c) => {
    const { service, environment } = target(c)
    const id = intParam(c.req.param('id'), 'id')
    if (!(await store.deleteSeparation(service, environment, id)))
      throw notFound(`separation ${id} of ${service}/${environment}`, 'id')
    return c.json({ id, deleted: true }, 200)
  })

  return app
}
