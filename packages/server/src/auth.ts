// API keys: `lsk_<id>_<secret>`. The id finds the record; only a sha256 of the secret is stored and it is
// compared in constant time. Verified keys live in an LRU so the hot paths touch no SQL.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { createTokenBucket, type TokenBucket, takeToken } from '@logsieve/core'
import type { Context, MiddlewareHandler } from 'hono'
import { LRUCache } from 'lru-cache'
import type { ResolvedOptions } from './config.js'
import { ApiError } from './errors.js'
import { header } from './headers.js'
import type { ApiKeyRecord, KeyScope, Store } from './store/types.js'

/** Who is calling: set on the context by `requireKey`. */
export interface Principal {
  id: string
  name: string
  scope: KeyScope
  /** null: every service. Admin keys with a list may only see and change those services. */
  services: ReadonlySet<string> | null
}

export type AuthEnv = { Variables: { principal: Principal } }

const KEY_PATTERN = /^lsk_([a-z0-9]{12})_([A-Za-z0-9_-]{20,128})$/
/** How long a verified (or rejected) key is trusted without looking at the database again. */
const VERIFIED_TTL_MS = 60_000
const ENV_ADMIN: Principal = { id: 'env', name: 'LOGSIEVE_ADMIN_KEY', scope: 'admin', services: null }

const sha256 = (s: string): Buffer => createHash('sha256').update(s).digest()

/** A fresh key and the record to store (the plain key is shown once, never stored). */
export function newKey(
  scope: KeyScope,
  name: string,
  services: string[] | null,
  now: number,
): { key: string; record: ApiKeyRecord } {
  const id = randomBytes(8).toString('hex').slice(0, 12)
  const secret = randomBytes(24).toString('base64url')
  const record: ApiKeyRecord = {
    id,
    name,
    scope,
    services,
    hash: sha256(secret).toString('hex'),
    createdAt: now,
    revokedAt: null,
  }
  return { key: `lsk_${id}_${secret}`, record }
}

export class KeyRing {
  // Expiry is checked by hand: lru-cache's ttl mode reads a clock and tracks timers on every get.
  private readonly verified = new LRUCache<string, { principal: Principal | false; until: number }>({
    max: 10_000,
  })
  private readonly buckets = new LRUCache<string, TokenBucket>({ max: 10_000 })
  private readonly adminHash: Buffer | undefined

  constructor(
    private readonly store: Store,
    private readonly options: Pick<ResolvedOptions, 'adminKey' | 'rateLimit' | 'now' | 'trustProxy'>,
  ) {
    this.adminHash = options.adminKey ? sha256(options.adminKey) : undefined
  }

  /** The principal of a presented key, or undefined when the key is unknown or revoked. */
  async verify(token: string): Promise<Principal | undefined> {
    const hit = this.verified.get(token)
    const now = Date.now()
    if (hit !== undefined && hit.until > now) return hit.principal || undefined
    let principal: Principal | undefined
    try {
      principal = await this.lookup(token)
    } catch (err) {
      // Database unreachable: a key verified before keeps working (SDKs keep reading their policies).
      if (hit !== undefined) return hit.principal || undefined
      throw err
    }
    this.verified.set(token, { principal: principal ?? false, until: now + VERIFIED_TTL_MS })
    return principal
  }

  private async lookup(token: string): Promise<Principal | undefined> {
    if (this.adminHash && timingSafeEqual(sha256(token), this.adminHash)) return ENV_ADMIN
    const m = KEY_PATTERN.exec(token)
    if (!m) return undefined
    const record = await this.store.getKey(m[1]!)
    if (!record || record.revokedAt !== null) return undefined
    if (!timingSafeEqual(sha256(m[2]!), Buffer.from(record.hash, 'hex'))) return undefined
    return {
      id: record.id,
      name: record.name,
      scope: record.scope,
      services: record.services ? new Set(record.services) : null,
    }
  }

  get trustProxy(): boolean {
    return this.options.trustProxy
  }

  /**
   * Check every verified key again on its next use (after a revocation). Expired, not forgotten: while the
   * database is unreachable a key verified before keeps working.
   */
  invalidate(): void {
    for (const entry of this.verified.values()) entry.until = 0
  }

  /** Core's token bucket per key (and client address, unless `rateLimit.per` is `'key'`): true when the request may proceed. */
  allow(id: string, client: () => string): boolean {
    const limit = this.options.rateLimit
    if (!limit) return true
    const now = this.options.now()
    const bucket = limit.per === 'key' ? id : `${id} ${client()}`
    let b = this.buckets.get(bucket)
    if (!b) {
      b = createTokenBucket(limit.perSecond, now, limit.burst)
      this.buckets.set(bucket, b)
    }
    return takeToken(b, now)
  }
}

/** The client's address: the socket's, or behind a trusted proxy the first `X-Forwarded-For` entry. */
export function clientAddress(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = header(c, 'x-forwarded-for')
    if (forwarded) return forwarded.split(',')[0]!.trim()
  }
  return (c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.socket?.remoteAddress ?? ''
}

/** The presented key: `Authorization: Bearer <key>`, or `?apiKey=` where a browser cannot set headers (sendBeacon, EventSource). */
export function presentedKey(
  authorization: string | undefined,
  query: () => string | undefined,
): string | undefined {
  if (authorization?.startsWith('Bearer ')) return authorization.slice(7).trim() || undefined
  return query() || undefined
}

/** 403 for a viewer: it may read everything an admin reads and change nothing. */
export function assertMayChange(principal: Pick<Principal, 'scope'>): void {
  if (principal.scope === 'viewer') {
    throw new ApiError(403, 'LOGSIEVE_FORBIDDEN', 'viewer keys can read but change nothing')
  }
}

/** Middleware: a valid key of at least `scope` (admin covers ingest; viewer reads both, writes neither), within its rate limit. */
export function requireKey(keys: KeyRing, scope: KeyScope): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const authorization = header(c, 'authorization')
    // `?apiKey=` exists for browsers (sendBeacon, EventSource) on the ingest routes only.
    const fromQuery = !authorization?.startsWith('Bearer ')
    const token = presentedKey(authorization, () => (scope === 'ingest' ? c.req.query('apiKey') : undefined))
    if (!token)
      throw new ApiError(401, 'LOGSIEVE_UNAUTHORIZED', 'an API key is required (Authorization: Bearer <key>)')
    const principal = await keys.verify(token)
    if (!principal) throw new ApiError(401, 'LOGSIEVE_UNAUTHORIZED', 'unknown or revoked API key')
    if (fromQuery && principal.scope !== 'ingest') {
      // An admin (or viewer) secret in a URL ends up in proxy and access logs.
      throw new ApiError(
        401,
        'LOGSIEVE_UNAUTHORIZED',
        'admin keys are accepted only in the Authorization header, never in ?apiKey=',
        'apiKey',
      )
    }
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') assertMayChange(principal)
    if (scope === 'admin' && principal.scope === 'ingest') {
      throw new ApiError(
        403,
        'LOGSIEVE_FORBIDDEN',
        'this route needs an admin key; ingest keys may only send stats and read policies',
      )
    }
    if (!keys.allow(principal.id, () => clientAddress(c, keys.trustProxy))) {
      c.header('Retry-After', '1')
      throw new ApiError(
        429,
        'LOGSIEVE_RATE_LIMITED',
        'too many requests for this API key from this client; retry after a second',
      )
    }
    c.set('principal', principal)
    await next()
  }
}

/** 403 unless the key covers every service (no service list): needed to see or change all services. */
export function assertUnscoped(principal: Principal, what: string): void {
  if (principal.services) {
    throw new ApiError(403, 'LOGSIEVE_FORBIDDEN', `${what} needs a key without a service list`)
  }
}

/** 403 unless the key may use `service`. */
export function assertService(principal: Principal, service: string, field = 'service'): void {
  if (principal.services && !principal.services.has(service)) {
    throw new ApiError(
      403,
      'LOGSIEVE_FORBIDDEN',
      `this API key is not allowed for service "${service}"`,
      field,
    )
  }
}
