// `export { onRequestError } from '@logsieve/node/next'` in instrumentation.ts: Next.js calls it with
// every error a route handler, server component, server action or middleware threw. The error is logged
// through the process's logger in its request's scope, so it carries the request's trace id, is counted
// in the stats, and writes first the lines the scope dropped (backfill).
import { runInScope } from '../context.js'
import { integrationOf } from '../integration.js'
import { nextState } from './state.js'

/** The request as Next.js describes it to `onRequestError`. */
export interface RequestErrorRequest {
  /** The resource path, e.g. `/api/orders?id=1`. */
  path: string
  method: string
  headers: Record<string, string | string[] | undefined>
}

/** Where the error happened, as Next.js describes it (`routeType`: 'route', 'render', 'action', 'proxy', 'middleware'). */
export interface RequestErrorContext {
  routerKind: string
  /** The route file's path, e.g. `/api/orders/route`. */
  routePath: string
  routeType: string
  renderSource?: string
}

/** Next.js's `onRequestError` hook. Never throws: a failure is reported through the sieve's diagnostics. */
export async function onRequestError(
  error: unknown,
  request: RequestErrorRequest,
  context: RequestErrorContext,
): Promise<void> {
  const state = nextState()
  const current = state.current
  if (current === undefined) return
  const { logger } = current
  const sieve = integrationOf(current.sieve)
  try {
    // A route wrapped by sieve.route left its scope open for this; anything else gets one from the headers.
    const held = typeof error === 'object' && error !== null ? state.thrown.get(error) : undefined
    if (held) state.thrown.delete(error as object)
    const scope =
      held ??
      sieve.openScope({
        traceparent: header(request.headers, 'traceparent'),
        requestId: header(request.headers, 'x-request-id'),
      })
    try {
      runInScope(scope, () =>
        logger.error(
          {
            err: error,
            method: request.method,
            path: request.path,
            routePath: context.routePath,
            routeType: context.routeType,
          },
          'unhandled error',
        ),
      )
    } finally {
      sieve.closeScope(scope)
    }
  } catch (failure) {
    sieve.report('LOGSIEVE_NEXT_REQUEST_ERROR', failure)
  }
}

function header(headers: RequestErrorRequest['headers'], name: string): string | undefined {
  const value = headers?.[name]
  return typeof value === 'string' && value.length <= 512 ? value : undefined
}
