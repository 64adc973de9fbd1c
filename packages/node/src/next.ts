// Next.js App Router route handlers are `(request, context) => Response`: wrap one to run it in a scope
// that continues the incoming `traceparent`, and to send `traceparent` back on the response.
import { formatTraceparent } from '@logsieve/core/sdk'
import { runInScope } from './context.js'
import type { Sieve } from './types.js'

export type RouteHandler<C = unknown> = (request: Request, context: C) => Response | Promise<Response>

/**
 * `export const GET = sieve.route(async (req) => Response.json(...))`
 */
export function wrapRouteHandler<C>(
  sieve: Sieve,
  handler: RouteHandler<C>,
): (request: Request, context: C) => Promise<Response> {
  return async function logsieveRoute(request: Request, context: C): Promise<Response> {
    const scope = sieve.openScope({
      traceparent: request.headers.get('traceparent'),
      requestId: request.headers.get('x-request-id') ?? undefined,
    })
    try {
      const response = await runInScope(scope, () => handler(request, context))
      try {
        response.headers.set('traceparent', formatTraceparent(scope))
      } catch {
        // Immutable headers (Response.redirect, fetched responses): leave the response as it is.
      }
      return response
    } finally {
      sieve.closeScope(scope)
    }
  }
}
