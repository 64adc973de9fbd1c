// Express middleware: a scope per request (trace id from the incoming `traceparent`, a fresh span id),
// `traceparent` on the response, an optional request line, and an error handler that logs through the
// scope so the error triggers backfill. Express is not a dependency, not even for types: the handlers are
// typed by the few members they use, so Express 4 and 5 apps accept them and no consumer needs @types/express.

import { formatTraceparent } from '@logsieve/core/sdk'
import { runInScope } from './context.js'
import type { SieveIntegration } from './types.js'

/** The members of an Express (or Node `http`) request the middleware reads. */
export interface RequestLike {
  method?: string
  url?: string
  originalUrl?: string
  headers: Record<string, string | string[] | undefined>
}

/** The members of an Express (or Node `http`) response the middleware uses. */
export interface ResponseLike {
  statusCode: number
  setHeader(name: string, value: string): unknown
  on(event: 'finish' | 'close', listener: () => void): unknown
}

/** `(req, res, next)`: what `app.use()` takes. */
export type Middleware = (req: RequestLike, res: ResponseLike, next: (error?: unknown) => void) => void
/** `(err, req, res, next)`: Express's error middleware. */
export type ErrorMiddleware = (
  error: unknown,
  req: RequestLike,
  res: ResponseLike,
  next: (error?: unknown) => void,
) => void

/** A pino-style logger: `(mergeObject, message)`. pino loggers fit as they are. */
export interface ObjectLogger {
  info(obj: object, msg: string): void
  error(obj: object, msg: string): void
}

export interface RequestLine {
  method: string
  url: string
  status: number
  durationMs: number
  requestId?: string
}

export interface ExpressOptions {
  /** Logger for the request line (pino-style `(obj, msg)`). */
  logger?: ObjectLogger
  /** Log one line per request with status and duration: `true` logs through `logger`; a function receives the line. @default false */
  requestLog?: boolean | ((line: RequestLine) => void)
  /** Header carrying the caller's request id, added to the request's lines as `request_id` (none when absent: `trace_id` identifies the request). @default 'x-request-id' */
  requestIdHeader?: string
  /** Send `traceparent` back on the response. @default true */
  responseHeader?: boolean
}

export interface ExpressErrorOptions {
  /** Logger for the error line (pino-style `(obj, msg)`). Without one the error is only passed on. */
  logger?: ObjectLogger
}

/** `app.use(sieve.express())` */
export function expressMiddleware(sieve: SieveIntegration, options?: ExpressOptions): Middleware {
  const header = (options?.requestIdHeader ?? 'x-request-id').toLowerCase()
  const requestLog = options?.requestLog ?? false
  const logger = options?.logger
  const responseHeader = options?.responseHeader ?? true
  return function logsieveScope(req, res, next) {
    const incoming = req.headers[header]
    // Only a caller's id: a made-up one would repeat what trace_id already says, on every kept line.
    const requestId = typeof incoming === 'string' && incoming.length <= 128 ? incoming : undefined
    const tp = req.headers.traceparent
    const scope = sieve.openScope({ traceparent: typeof tp === 'string' ? tp : undefined, requestId })
    if (responseHeader) {
      try {
        res.setHeader('traceparent', formatTraceparent(scope))
      } catch (error) {
        sieve.report('LOGSIEVE_EXPRESS', error)
      }
    }
    const start = performance.now()
    let done = false
    const finish = (): void => {
      if (done) return
      done = true
      if (requestLog) {
        try {
          // Log inside the scope so the line carries the request's trace id (and triggers backfill on 5xx).
          runInScope(scope, () => logRequest(req, res.statusCode, performance.now() - start, requestId))
        } catch (error) {
          sieve.report('LOGSIEVE_EXPRESS', error)
        }
      }
      sieve.closeScope(scope)
    }
    // `on`, guarded by `done`: `once` wraps and binds each listener, twice a request.
    res.on('finish', finish)
    res.on('close', finish)
    runInScope(scope, next)
  }

  function logRequest(req: RequestLike, status: number, ms: number, requestId: string | undefined): void {
    const method = req.method ?? ''
    const url = req.originalUrl ?? req.url ?? ''
    const durationMs = Math.round(ms * 1000) / 1000
    if (typeof requestLog === 'function') requestLog({ method, url, status, durationMs, requestId })
    // Without requestId: the scope adds the same id to this line as request_id.
    else if (logger === undefined) return
    else if (status >= 500) logger.error({ method, url, status, durationMs }, 'request failed')
    else logger.info({ method, url, status, durationMs }, 'request completed')
  }
}

/** `app.use(sieve.expressErrorHandler({ logger }))` after your routes: logs the error in the request scope. */
export function expressErrorHandler(sieve: SieveIntegration, options?: ExpressErrorOptions): ErrorMiddleware {
  const logger = options?.logger
  return function logsieveErrors(err, req, _res, next) {
    if (logger) {
      try {
        logger.error({ err, method: req.method, url: req.originalUrl ?? req.url }, 'unhandled error')
      } catch (error) {
        sieve.report('LOGSIEVE_EXPRESS', error)
      }
    }
    next(err)
  }
}
