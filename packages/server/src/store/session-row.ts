// A dashboard session from its row: the same columns in SQLite and PostgreSQL.
import type { SessionRecord } from './types.js'

export const sessionFromRow = (r: Record<string, unknown>): SessionRecord => ({
  idHash: r.id_hash as string,
  keyId: r.key_id as string,
  name: r.name as string,
  scope: r.scope as SessionRecord['scope'],
  services: r.services === null ? null : (JSON.parse(r.services as string) as string[]),
  csrf: r.csrf as string,
  createdAt: Number(r.created_at),
  expiresAt: Number(r.expires_at),
})
