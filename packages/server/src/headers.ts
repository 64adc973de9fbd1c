// Request headers without materializing a WHATWG Headers object: on @hono/node-server the raw Node request
// is at `c.env.incoming`, whose header object is already parsed. The 304 hot path reads two headers, and
// building a Headers for them costs more than the rest of the route.
import type { IncomingMessage } from 'node:http'
import type { Context } from 'hono'

/** The value of a (lowercase) request header. */
export function header(c: Context, name: string): string | undefined {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming
  if (incoming?.headers) {
    const v = incoming.headers[name]
    return Array.isArray(v) ? v[0] : v
  }
  return c.req.header(name)
}
