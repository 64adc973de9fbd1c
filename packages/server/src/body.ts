// Request bodies: size-limited before and after gzip decompression, so a gzip bomb is refused with 413.
import { promisify } from 'node:util'
import { gunzip } from 'node:zlib'
import type { Context } from 'hono'
import { ApiError } from './errors.js'

const gunzipAsync = promisify(gunzip)

const tooLarge = (limit: number): ApiError =>
  new ApiError(413, 'LOGSIEVE_BODY_TOO_LARGE', `request body exceeds ${limit} bytes (after decompression)`)

/** Reads and parses a JSON body (gzip allowed) of at most `limit` bytes. */
export async function readJson(c: Context, limit: number): Promise<unknown> {
  const declared = Number(c.req.header('content-length'))
  if (declared > limit) throw tooLarge(limit)
  const raw = Buffer.from(await c.req.arrayBuffer())
  if (raw.length > limit) throw tooLarge(limit)
  let text: string
  const encoding = c.req.header('content-encoding')?.toLowerCase()
  if (encoding === 'gzip') {
    try {
      text = (await gunzipAsync(raw, { maxOutputLength: limit })).toString('utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(limit)
      throw new ApiError(400, 'LOGSIEVE_BODY_INVALID', 'body is not valid gzip')
    }
  } else if (encoding && encoding !== 'identity') {
    throw new ApiError(
      415,
      'LOGSIEVE_ENCODING_UNSUPPORTED',
      `content-encoding ${encoding} is not supported (use gzip)`,
    )
  } else text = raw.toString('utf8')
  if (text.length === 0) throw new ApiError(400, 'LOGSIEVE_BODY_INVALID', 'request body is empty')
  try {
    return JSON.parse(text)
  } catch {
    throw new ApiError(400, 'LOGSIEVE_BODY_INVALID', 'request body is not valid JSON')
  }
}
