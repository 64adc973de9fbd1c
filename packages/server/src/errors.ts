// One error shape for every failure the API reports: `{ error: { code, message, field? } }` + a status.
import type { ContractError, ErrorBody } from '@logsieve/core'
import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'

/** An error a route throws to answer with a JSON error body; the app's onError turns it into a response. */
export class ApiError extends Error {
  readonly status: ContentfulStatusCode
  readonly code: string
  readonly field: string | undefined
  constructor(status: ContentfulStatusCode, code: string, message: string, field?: string) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.field = field
  }

  get body(): ErrorBody {
    const error: ErrorBody['error'] = { code: this.code, message: this.message }
    if (this.field !== undefined) error.field = this.field
    return { error }
  }
}

/** A contract validation failure (core's parse* helpers) as a 400 naming the field. */
export function invalid(error: ContractError, status: ContentfulStatusCode = 400): ApiError {
  return new ApiError(status, error.code, error.message, error.field)
}

export const notFound = (what: string, field?: string): ApiError =>
  new ApiError(404, 'LOGSIEVE_NOT_FOUND', `${what} not found`, field)

export function errorResponse(c: Context, err: ApiError): Response {
  return c.json(err.body, err.status)
}
