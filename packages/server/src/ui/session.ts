// Dashboard sessions: a key is checked once at login and never kept; the browser holds a random session
// id (HttpOnly, SameSite=Strict cookie), the store holds its sha256 and the session's CSRF token.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { Context, MiddlewareHandler } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import type { Principal } from '../auth.js'
import type { ServerContext } from '../context.js'
import { header } from '../headers.js'
import type { SessionRecord } from '../store/types.js'

export const SESSION_COOKIE = 'logsieve_session'
/** Double-submit token of the login form (there is no session yet to hold one). */
export const LOGIN_CSRF_COOKIE = 'logsieve_login_csrf'
/** How long a session lasts from login. */
export const SESSION_TTL_MS = 12 * 3_600_000

export interface UiSession {
  record: SessionRecord
  principal: Principal
}
export type UiEnv = { Variables: { session: UiSession } }

const hash = (id: string): string => createHash('sha256').update(id).digest('hex')
export const randomToken = (): string => randomBytes(32).toString('base64url')

/** Same strings, compared in constant time. */
export function sameToken(a: string | undefined, b: string): boolean {
  if (a === undefined) return false
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/** HTTPS directly, or behind a trusted proxy that says so. */
function secureRequest(c: Context, trustProxy: boolean): boolean {
  if (new URL(c.req.url).protocol === 'https:') return true
  return trustProxy && header(c, 'x-forwarded-proto')?.split(',')[0]?.trim() === 'https'
}

export function setUiCookie(
  c: Context,
  ctx: ServerContext,
  name: string,
  value: string,
  maxAgeSeconds: number,
): void {
  setCookie(c, name, value, {
    path: '/ui',
    httpOnly: true,
    sameSite: 'Strict',
    secure: secureRequest(c, ctx.options.trustProxy),
    maxAge: maxAgeSeconds,
  })
}

/** Starts a session for a verified principal and sets its cookie. */
export async function startSession(c: Context, ctx: ServerContext, principal: Principal): Promise<void> {
  const now = ctx.options.now()
  await ctx.store.deleteExpiredSessions(now)
  const id = randomToken()
  await ctx.store.insertSession({
    idHash: hash(id),
    keyId: principal.id,
    name: principal.name,
    scope: principal.scope,
    services: principal.services ? [...principal.services] : null,
    csrf: randomToken(),
    createdAt: now,
    expiresAt: now + SESSION_TTL_MS,
  })
  setUiCookie(c, ctx, SESSION_COOKIE, id, SESSION_TTL_MS / 1000)
}

export async function endSession(c: Context, ctx: ServerContext): Promise<void> {
  const id = getCookie(c, SESSION_COOKIE)
  if (id) await ctx.store.deleteSession(hash(id))
  deleteCookie(c, SESSION_COOKIE, { path: '/ui' })
}

/** The session of this request, if live and its key is still valid (a revoked key ends its sessions). */
async function currentSession(c: Context, ctx: ServerContext): Promise<UiSession | undefined> {
  const id = getCookie(c, SESSION_COOKIE)
  if (!id) return undefined
  const record = await ctx.store.getSession(hash(id))
  if (!record || record.expiresAt <= ctx.options.now()) return undefined
  if (
    record.keyId === 'env'
      ? !ctx.options.adminKey
      : (await ctx.store.getKey(record.keyId))?.revokedAt !== null
  ) {
    await ctx.store.deleteSession(record.idHash)
    return undefined
  }
  const principal: Principal = {
    id: record.keyId,
    name: record.name,
    scope: record.scope,
    services: record.services ? new Set(record.services) : null,
  }
  return { record, principal }
}

/** Pages need a session: without one, a redirect to the login page. */
export function requireSession(ctx: ServerContext): MiddlewareHandler<UiEnv> {
  return async (c, next) => {
    const session = await currentSession(c, ctx)
    if (!session) return c.redirect('/ui/login', 303)
    c.set('session', session)
    await next()
  }
}
