// The Hono app: CORS for browser-facing routes, request metrics, one JSON error shape, all routes.
import type { ServerResponse } from 'node:http'
import { Hono } from 'hono'
import { cors } from 'hono/cors'
import type { ServerContext } from './context.js'
import { ApiError, errorResponse } from './errors.js'
import { header } from './headers.js'
import { adminPolicyRoutes } from './routes/admin-policies.js'
import { ingestRoutes } from './routes/ingest.js'
import { keyRoutes } from './routes/keys.js'
import { opsRoutes } from './routes/ops.js'
import { serviceRoutes } from './routes/services.js'
import { uiRoutes } from './ui/index.js'

export function createApp(ctx: ServerContext): Hono {
  const app = new Hono()
  const { metrics } = ctx

  app.use('*', async (c, next) => {
    await next()
    // Routes that answer through Node directly (the 304 path) leave the real status on the Node response.
    const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing
    metrics.request(c.req.method, outgoing?.headersSent ? outgoing.statusCode : c.res.status)
  })
  // Browsers call the ingest routes; keys travel in Authorization, never cookies, so no credentials mode.
  const origins = ctx.options.corsOrigins
  const corsMiddleware = cors({
    origin: origins.includes('*') ? '*' : origins,
    allowMethods: ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS'],
    allowHeaders: ['Authorization', 'Content-Type', 'Content-Encoding', 'If-None-Match', 'Last-Event-ID'],
    exposeHeaders: ['ETag', 'Retry-After'],
    maxAge: 86_400,
  })
  // Only browsers send Origin; skipping CORS for other clients spares the hot paths a Headers object.
  app.use('/v1/*', (c, next) => (header(c, 'origin') === undefined ? next() : corsMiddleware(c, next)))

  app.route('/', opsRoutes(ctx))
  app.route('/', ingestRoutes(ctx))
  app.route('/', adminPolicyRoutes(ctx))
  app.route('/', serviceRoutes(ctx))
  app.route('/', keyRoutes(ctx))
  app.route('/', uiRoutes(ctx))

  app.notFound((c) =>
    errorResponse(c, new ApiError(404, 'LOGSIEVE_NOT_FOUND', `no route ${c.req.method} ${c.req.path}`)),
  )
  app.onError((err, c) => {
    if (err instanceof ApiError) return errorResponse(c, err)
    ctx.logger.error({ err, path: c.req.path }, 'request failed')
    return errorResponse(c, new ApiError(500, 'LOGSIEVE_INTERNAL', 'internal error; see the server log'))
  })
  return app
}
