// Path and query parameters validated with the wire contract's own name field.
import { accepts, nameField } from '@logsieve/core'
import { assertService, type Principal } from '../auth.js'
import { ApiError } from '../errors.js'

// Names seen on the hot path (policy GETs) are checked once; the set is cleared if it grows large.
const known = new Set<string>()

function checkName(value: string, field: string): string {
  if (known.has(value)) return value
  if (accepts(nameField, value)) {
    if (known.size >= 10_000) known.clear()
    known.add(value)
  } else {
    throw new ApiError(
      400,
      'LOGSIEVE_PARAM_INVALID',
      `must be 1-128 characters of A-Z a-z 0-9 . _ : / @ -`,
      field,
    )
  }
  return value
}

export const serviceParam = (value: string): string => checkName(value, 'service')

export const environmentParam = (value: string | undefined): string =>
  value === undefined || value === '' ? 'default' : checkName(value, 'environment')

/** A positive integer from a path or query parameter. */
export function intParam(value: string | undefined, field: string, fallback?: number): number {
  if ((value === undefined || value === '') && fallback !== undefined) return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0)
    throw new ApiError(400, 'LOGSIEVE_PARAM_INVALID', 'must be a non-negative integer', field)
  return n
}

export const boolParam = (value: string | undefined): boolean => value === 'true' || value === '1'

/** What serviceTarget reads of a request on a `/…/:service` route. */
export interface ServiceRequest {
  req: { param(n: 'service'): string; query(n: string): string | undefined }
}

/** The service and environment a request names, checked against the services `principal` may touch. */
export function serviceTarget(
  c: ServiceRequest,
  principal: Principal,
): { service: string; environment: string } {
  const service = serviceParam(c.req.param('service'))
  assertService(principal, service)
  return { service, environment: environmentParam(c.req.query('environment')) }
}
