// The routes SDKs and browsers call with an ingest key: send stats, read (or stream) their policy.
import type { ServerResponse } from 'node:http'
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response'
import { parseStatsBatch, SETTLING_POLICIES } from '@logsieve/core'
import { Hono } from 'hono'
import { streamSSE } from 'hono/streaming'
import { type AuthEnv, assertService, requireKey } from '../auth.js'
import { readJson } from '../body.js'
import type { ServerContext } from '../context.js'
import { ApiError, invalid } from '../errors.js'
import { header } from '../headers.js'
import { etagMatches } from '../policies.js'
import { checkBatchLimits } from '../stats-limits.js'
import { environmentParam, serviceParam } from './params.js'

export function ingestRoutes(ctx: ServerContext): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>()
  const ingest = requireKey(ctx.keys, 'ingest')
  const { metrics, policies } = ctx

  app.post('/v1/stats', ingest, async (c) => {
    const body = await readJson(c, ctx.options.bodyLimitBytes)
    const parsed = parseStatsBatch(body)
    if (!parsed.ok) {
      metrics.inc('logsieve_stats_rejected_total', { code: parsed.error.code })
      throw invalid(parsed.error)
    }
    const batch = parsed.value
    assertService(c.var.principal, batch.service)
    try {
      checkBatchLimits(batch, ctx.options.now(), ctx.options.retentionDays)
    } catch (err) {
      if (err instanceof ApiError) metrics.inc('logsieve_stats_rejected_total', { code: err.code })
      throw err
    }
    const { service, environment } = batch
    const accepted = batch.patterns.length
    await ctx.stats.prepare(service, environment)
    ctx.stats.add(batch)
    ctx.instances.report(service, environment, batch.instance ?? '', ctx.options.now())
    // On a shared store the 2xx means committed: the batch counts even if this process dies next. Nothing
    // below reads the batch, so waiting requests hold no parsed batches (they would survive into the old
    // generation, and its collections cost more than the rest of ingest).
    if (ctx.stats.durable) await ctx.stats.flush()
    // A service's first stats: its first generated policy comes within seconds, not at the next interval.
    const current = policies.peek(service, environment)
    if (!current || current.policy.version === 0) {
      const { policy } = await policies.load(service, environment)
      if (policy.version === 0) ctx.scheduler.firstStats(service, environment)
    } else if (current.policy.version < SETTLING_POLICIES && current.policy.source === 'generated') {
      // Its first policies rest on seconds of stats: each next window settles it further.
      ctx.scheduler.settleStats(service, environment)
    }
    metrics.inc('logsieve_stats_batches_total')
    metrics.inc('logsieve_stats_patterns_total', {}, accepted)
    return c.json({ accepted }, 202)
  })

  app.get('/v1/policies/:service', ingest, async (c) => {
    const service = serviceParam(c.req.param('service'))
    const environment = environmentParam(c.req.query('environment'))
    assertService(c.var.principal, service)
    const entry = policies.peek(service, environment) ?? (await policies.load(service, environment))
    const notModified = etagMatches(header(c, 'if-none-match'), entry.etag)
    // The SDKs' steady state: answer through Node directly. A bodiless Response would take
    // @hono/node-server's slow path (a full WHATWG Response, then its headers copied one by one).
    const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing
    if (notModified && outgoing && header(c, 'origin') === undefined) {
      outgoing.writeHead(304, { etag: entry.etag, 'cache-control': 'no-cache' })
      outgoing.end()
      return RESPONSE_ALREADY_SENT
    }
    c.header('ETag', entry.etag)
    c.header('Cache-Control', 'no-cache')
    if (notModified) return c.body(null, 304)
    c.header('Content-Type', 'application/json')
    return c.body(entry.body, 200)
  })

  app.get('/v1/policies/:service/stream', ingest, async (c) => {
    const service = serviceParam(c.req.param('service'))
    const environment = environmentParam(c.req.query('environment'))
    assertService(c.var.principal, service)
    const current = await policies.load(service, environment)
    const lastId = c.req.header('last-event-id')
    return streamSSE(c, async (stream) => {
      let wake: () => void = () => {}
      const queue: string[] = []
      const push = (id: string, data: string): void => {
        queue.push(id, data)
        wake()
      }
      if (lastId !== String(current.policy.version)) push(String(current.policy.version), current.body)
      const unsubscribe = policies.subscribe(service, environment, (e) =>
        push(String(e.policy.version), e.body),
      )
      let closed = false
      const close = (): void => {
        closed = true
        wake()
      }
      const unregister = policies.onShutdown(close)
      stream.onAbort(close)
      metrics.set('logsieve_sse_subscribers', {}, policies.subscribers)
      try {
        while (!closed && !stream.aborted) {
          while (queue.length > 0) {
            const id = queue.shift()!
            await stream.writeSSE({ event: 'policy', id, data: queue.shift()! })
          }
          const timer = new Promise<boolean>((resolve) => {
            const t = setTimeout(() => resolve(true), ctx.options.heartbeatMs)
            wake = () => {
              clearTimeout(t)
              resolve(false)
            }
          })
          // A comment line keeps proxies from closing an idle stream.
          if (await timer) await stream.write(': heartbeat\n\n')
        }
      } finally {
        unsubscribe()
        unregister()
        metrics.set('logsieve_sse_subscribers', {}, policies.subscribers)
      }
    })
  })

  return app
}
