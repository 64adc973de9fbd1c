// Open operational routes: liveness, readiness, version, Prometheus metrics, the OpenAPI document.
import { Hono } from 'hono'
import { type AuthEnv, assertUnscoped, requireKey } from '../auth.js'
import type { ServerContext } from '../context.js'
import { openApiDocument } from '../openapi.js'
import { SCHEMA_VERSION } from '../store/sqlite.js'
import { SERVER_VERSION } from '../version.js'

export function opsRoutes(ctx: ServerContext): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>()
  app.get('/health', (c) => c.json({ status: 'ok' }, 200))
  app.get('/ready', async (c) => {
    let ok = false
    try {
      ok = await ctx.store.ready()
    } catch {}
    return ok ? c.json({ status: 'ready' }, 200) : c.json({ status: 'not ready' }, 503)
  })
  app.get('/version', (c) =>
    c.json(
      {
        name: '@logsieve/server',
        version: SERVER_VERSION,
        schemaVersion: SCHEMA_VERSION,
        node: process.version,
      },
      200,
    ),
  )
  // Metrics name every service and its volume: behind an unscoped admin key unless the server is local.
  if (ctx.options.metricsRequireKey) {
    app.use('/metrics', requireKey(ctx.keys, 'admin'), async (c, next) => {
      assertUnscoped(c.var.principal, 'GET /metrics')
      await next()
    })
  }
  app.get('/metrics', (c) => {
    c.header('Content-Type', 'text/plain; version=0.0.4')
    return c.body(ctx.metrics.render(), 200)
  })
  app.get('/openapi.json', (c) => c.json(openApiDocument(), 200))
  return app
}
