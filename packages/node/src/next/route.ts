// Next.js App Router route handlers are `(request, context) => Response`: wrap one to run it in a scope
// that continues the incoming `traceparent`, and to send `traceparent` back on the response. A handler
// that throws leaves its scope open for `onRequestError`, which logs the error in it (with backfill).
import { formatTraceparent } from '@logsieve/core/sdk'
import { runInScope, type Scope } from '../context.js'
import type { SieveIntegration } from '../types.js'
import { nextState } from './state.js'

export type RouteHandler<C = unknown> = (request: Request, context: C) => Response | Promise<Response>

/** How long a thrown error's scope waits for `onRequestError` (Next.js calls it at once) before it is freed. */
const HOLD_MS = 10_000

/**
 * `export const GET = sieve.route(async (req) => Response.json(...))`
 */
export function wrapRouteHandler<C>(
  sieve: SieveIntegration,
  handler: RouteHandler<C>,
): (request: Request, context: C) => Promise<Response> {
  return async function logsieveRoute(request: Request, context: C): Promise<Response> {
    const scope = sieve.openScope({
      traceparent: request.headers.get('traceparent'),
      requestId: request.headers.get('x-request-id') ?? undefined,
    })
    let response: Response
    try {
      response = await runInScope(scope, () => handler(request, context))
    } catch (error) {
      holdForRequestError(sieve, scope, error)
      throw error
    }
    sieve.closeScope(scope)
    return withTraceparent(sieve, response, formatTraceparent(scope))
  }
}

/** The response with `traceparent` set, unless the handler set its own. */
function withTraceparent(sieve: SieveIntegration, response: Response, traceparent: string): Response {
  try {
    if (response.headers.has('traceparent')) return response
    try {
      response.headers.set('traceparent', traceparent)
      return response
    } catch {
      // Immutable headers (Response.redirect, a fetched response): answer with a copy that carries it.
      const headers = new Headers(response.headers)
      headers.set('traceparent', traceparent)
      return new Response(response.body, {
        status: response.status,
        statusText: response.statusText,
        headers,
      })
    }
  } catch (error) {
    sieve.report('LOGSIEVE_NEXT_ROUTE', error)
    return response
  }
}

function holdForRequestError(sieve: SieveIntegration, scope: Scope, error: unknown): void {
  if (error === null || typeof error !== 'object') {
    sieve.closeScope(scope)
    return
  }
  const { thrown } = nextState()
  thrown.set(error, scope)
  // Without an onRequestError export nobody claims it: free its backfill buffer all the same.
  const timer = setTimeout(() => {
    if (thrown.get(error) !== scope) return
    thrown.delete(error)
    sieve.closeScope(scope)
  }, HOLD_MS)
  timer.unref?.()
}
