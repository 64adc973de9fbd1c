// An admin's separation (a split pattern, a forbidden merge) from its row: the same columns in SQLite and
// PostgreSQL.
import type { SeparationRecord } from './types.js'

export const separationFromRow = (r: Record<string, unknown>): SeparationRecord => ({
  id: Number(r.id),
  service: r.service as string,
  environment: r.environment as string,
  kind: r.kind as SeparationRecord['kind'],
  pattern: (r.pattern as string | null) ?? undefined,
  signatures: JSON.parse(r.signatures as string) as string[],
  author: (r.author as string | null) ?? undefined,
  createdAt: r.created_at as string,
})
