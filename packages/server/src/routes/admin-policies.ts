import { Hono } from 'hono'
import type { AuthEnv } from '../auth.js'
import type { ServerContext } from '../context.js'

export function adminPolicyRoutes(_ctx: ServerContext): Hono<AuthEnv> {
  return new Hono<AuthEnv>()
}
