// Admin routes for API keys: create (the plain key is returned once), list, revoke.

import { parseKeyRequest } from '@logsieve/core'
import { Hono } from 'hono'
import { type AuthEnv, newKey, requireKey } from '../auth.js'
import { readJson } from '../body.js'
import type { ServerContext } from '../context.js'
import { ApiError, invalid, notFound } from '../errors.js'
import type { ApiKeyRecord } from '../store/types.js'

const publicKey = (k: ApiKeyRecord) => ({
  id: k.id,
  name: k.name,
  scope: k.scope,
  services: k.services,
  createdAt: new Date(k.createdAt).toISOString(),
  revokedAt: k.revokedAt === null ? null : new Date(k.revokedAt).toISOString(),
})

/** True when a key limited to `own` services may see and revoke `k` (limited to some of them). */
const within = (own: ReadonlySet<string> | null, k: ApiKeyRecord): boolean =>
  !own || k.services?.every((s) => own.has(s)) === true

export function keyRoutes(ctx: ServerContext): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>()
  app.use('/v1/keys', requireKey(ctx.keys, 'admin'))
  app.use('/v1/keys/*', requireKey(ctx.keys, 'admin'))

  app.post('/v1/keys', async (c) => {
    const parsed = parseKeyRequest(await readJson(c, ctx.options.bodyLimitBytes))
    if (!parsed.ok) throw invalid(parsed.error)
    const { scope, name, services } = parsed.value
    const own = c.var.principal.services
    // A key limited to some services may only hand out keys limited to (some of) the same services.
    if (own && (!services || services.some((s) => !own.has(s)))) {
      throw new ApiError(
        403,
        'LOGSIEVE_FORBIDDEN',
        'a key limited to services may only create keys limited to those services',
        'services',
      )
    }
    const { key, record } = newKey(scope, name, services ?? null, ctx.options.now())
    await ctx.store.insertKey(record)
    ctx.logger.info({ id: record.id, scope, by: c.var.principal.id }, 'api key created')
    return c.json({ ...publicKey(record), key }, 201)
  })

  app.get('/v1/keys', async (c) => {
    const own = c.var.principal.services
    return c.json({ keys: (await ctx.store.listKeys()).filter((k) => within(own, k)).map(publicKey) }, 200)
  })

  app.delete('/v1/keys/:id', async (c) => {
    const id = c.req.param('id')
    const target = await ctx.store.getKey(id)
    if (target && !within(c.var.principal.services, target)) {
      throw new ApiError(403, 'LOGSIEVE_FORBIDDEN', 'this key may not revoke a key of other services', 'id')
    }
    if (!(await ctx.store.revokeKey(id, ctx.options.now()))) throw notFound(`active key ${id}`, 'id')
    ctx.keys.invalidate()
    ctx.logger.info({ id, by: c.var.principal.id }, 'api key revoked')
    return c.json({ id, revoked: true }, 200)
  })

  return app
}
