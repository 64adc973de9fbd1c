// Admin policy routes: history, one version, diff, generate (or dry run), policy as code, rollback.
import { defaultPolicy, diffPolicies, type Policy, parsePolicy } from '@logsieve/core'
import { Hono } from 'hono'
import { type AuthEnv, type Principal, requireKey } from '../auth.js'
import { readJson } from '../body.js'
import type { ServerContext } from '../context.js'
import { ApiError, invalid, notFound } from '../errors.js'
import { boolParam, intParam, type ServiceRequest, serviceTarget } from './params.js'

export function adminPolicyRoutes(ctx: ServerContext): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>()
  const admin = requireKey(ctx.keys, 'admin')
  const { store, policies } = ctx
  const target = (c: ServiceRequest & { var: { principal: Principal } }) => serviceTarget(c, c.var.principal)
  const version = async (service: string, environment: string, v: number, field: string) => {
    const p = v === 0 ? undefined : await store.getPolicy(service, environment, v)
    if (!p) throw notFound(`policy ${service}/${environment} version ${v}`, field)
    return p
  }

  app.get('/v1/policies/:service/history', admin, async (c) => {
    const { service, environment } = target(c)
    const limit = Math.min(1000, intParam(c.req.query('limit'), 'limit', 50))
    return c.json(
      { service, environment, versions: await store.listPolicies(service, environment, limit) },
      200,
    )
  })

  app.get('/v1/policies/:service/versions/:version', admin, async (c) => {
    const { service, environment } = target(c)
    return c.json(
      await version(service, environment, intParam(c.req.param('version'), 'version'), 'version'),
      200,
    )
  })

  app.get('/v1/policies/:service/diff', admin, async (c) => {
    const { service, environment } = target(c)
    const current = (await policies.load(service, environment)).policy
    const to = intParam(c.req.query('to'), 'to', current.version)
    const from = intParam(c.req.query('from'), 'from', Math.max(0, to - 1))
    // Version 0 is the default policy SDKs ran on before the first version.
    const at = (v: number, field: string) =>
      v === current.version
        ? current
        : v === 0
          ? defaultPolicy(service, environment)
          : version(service, environment, v, field)
    const a = await at(from, 'from')
    const b = await at(to, 'to')
    return c.json(diffPolicies(a, b), 200)
  })

  app.post('/v1/policies/:service/generate', admin, async (c) => {
    const { service, environment } = target(c)
    const result = await ctx.generation.generate(service, environment, {
      dryRun: boolParam(c.req.query('dryRun')),
      author: c.var.principal.name,
      reason: c.req.query('reason') || undefined,
    })
    return c.json(result, result.stored ? 201 : 200)
  })

  app.put('/v1/policies/:service', admin, async (c) => {
    const { service, environment } = target(c)
    const body = await readJson(c, ctx.options.bodyLimitBytes)
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new ApiError(400, 'LOGSIEVE_POLICY_INVALID', 'body must be a policy object')
    }
    const doc = body as Record<string, unknown>
    if (doc.service !== undefined && doc.service !== service) {
      throw new ApiError(
        400,
        'LOGSIEVE_POLICY_INVALID',
        `must match the service in the path (${service})`,
        'service',
      )
    }
    if (doc.environment !== undefined && doc.environment !== environment) {
      throw new ApiError(
        400,
        'LOGSIEVE_POLICY_INVALID',
        `must match ?environment= (${environment})`,
        'environment',
      )
    }
    const current = (await policies.load(service, environment)).policy
    const parsed = parsePolicy({
      ...doc,
      service,
      environment,
      version: current.version + 1,
      source: 'manual',
    })
    if (!parsed.ok) throw invalid(parsed.error)
    const candidate = {
      ...parsed.value,
      author: c.var.principal.name,
      createdAt: new Date(ctx.options.now()).toISOString(),
    }
    const diff = diffPolicies(current, candidate)
    if (boolParam(c.req.query('dryRun')) || boolParam(c.req.query('validate'))) {
      return c.json({ valid: true, policy: candidate, diff, stored: false }, 200)
    }
    const { version: _v, ...rest } = candidate
    const stored = await policies.publish(rest)
    return c.json({ valid: true, policy: stored, diff: { ...diff, to: stored.version }, stored: true }, 201)
  })

  app.post('/v1/policies/:service/rollback/:version', admin, async (c) => {
    const { service, environment } = target(c)
    const v = intParam(c.req.param('version'), 'version')
    const old = await version(service, environment, v, 'version')
    return c.json(await rollback(ctx, old, c.var.principal.name, c.req.query('reason') || undefined), 201)
  })

  return app
}

/** Publishes a copy of an old version as the new current version. */
export function rollback(ctx: ServerContext, old: Policy, author: string, reason?: string): Promise<Policy> {
  const { version: v, ...rest } = old
  return ctx.policies.publish({
    ...rest,
    source: 'rollback',
    author,
    reason: reason ?? `rollback to version ${v}`,
    createdAt: new Date(ctx.options.now()).toISOString(),
  })
}
