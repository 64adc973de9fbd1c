// sieve.route and onRequestError with real Request and Response objects, as Next.js calls them.
import { afterAll, expect, it } from 'vitest'
import { currentScope } from '../context.js'
import { createSieve } from '../sieve.js'
import { onRequestError } from './request-error.js'
import { nextState } from './state.js'

const sieve = createSieve({ service: 'route-test', cacheDir: false, onDiagnostic: false })
afterAll(() => sieve.shutdown())
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'
const incoming = (url = 'http://localhost/x') =>
  new Request(url, { headers: { traceparent: `00-${TRACE}-00f067aa0ba902b7-01` } })

it('sets traceparent on the response, continuing the caller trace', async () => {
  const res = await sieve.route(async () => Response.json({ ok: true }))(incoming(), undefined)
  expect(res.headers.get('traceparent')).toMatch(new RegExp(`^00-${TRACE}-[0-9a-f]{16}-01$`))
})

it("keeps a traceparent the handler set (before: Logsieve's replaced it)", async () => {
  const own = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'
  const res = await sieve.route(async () => new Response('ok', { headers: { traceparent: own } }))(
    incoming(),
    undefined,
  )
  expect(res.headers.get('traceparent')).toBe(own)
})

it('answers Response.redirect (immutable headers) with a copy that carries traceparent (before: none)', async () => {
  const res = await sieve.route(async () => Response.redirect('http://localhost/elsewhere', 307))(
    incoming(),
    undefined,
  )
  expect(res.status).toBe(307)
  expect(res.headers.get('location')).toBe('http://localhost/elsewhere')
  expect(res.headers.get('traceparent')).toMatch(new RegExp(`^00-${TRACE}-`))
})

it("keeps a thrown error's scope open for onRequestError, which logs in it and closes it", async () => {
  const logged: Array<{ obj: object; msg: string; traceId?: string; spanId?: string }> = []
  const error = new Error('store down')
  let handlerSpan: string | undefined
  const GET = sieve.route(async () => {
    handlerSpan = currentScope()?.spanId
    throw error
  })
  await expect(GET(incoming(), undefined)).rejects.toBe(error)
  const state = nextState()
  expect(state.thrown.has(error)).toBe(true)
  state.current = {
    sieve,
    key: 'test',
    hasServer: false,
    logger: {
      error: (obj, msg) =>
        logged.push({ obj, msg, traceId: currentScope()?.traceId, spanId: currentScope()?.spanId }),
    },
  }
  await onRequestError(
    error,
    { path: '/x', method: 'GET', headers: {} },
    { routerKind: 'App Router', routePath: '/x', routeType: 'route' },
  )
  expect(state.thrown.has(error)).toBe(false)
  // The handler's own scope: same trace and span as the lines the handler logged.
  expect(logged).toEqual([
    {
      obj: { err: error, method: 'GET', path: '/x', routePath: '/x', routeType: 'route' },
      msg: 'unhandled error',
      traceId: TRACE,
      spanId: handlerSpan,
    },
  ])
  // A server component's error (no route scope): a scope from the request's own traceparent.
  logged.length = 0
  await onRequestError(
    new Error('render failed'),
    { path: '/page', method: 'GET', headers: { traceparent: `00-${TRACE}-00f067aa0ba902b7-01` } },
    { routerKind: 'App Router', routePath: '/page', routeType: 'render' },
  )
  expect(logged[0]?.traceId).toBe(TRACE)
  state.current = undefined
})
