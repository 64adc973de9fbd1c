// Pending stats on PostgreSQL: each flush stores what it adds for generation as one JSON body per
// service/environment in `pending_stats`; a generation sums the bodies it takes.
import { type LevelName, patternKey } from '@logsieve/core'
import { addSpan, PENDING, PendingColumns } from '../pending.js'
import type { Pending } from '../stats-aggregator.js'
import { splitPatternKey } from '../stats-columns.js'

/** The wire form of a Pending in `pending_stats.body`. */
interface PendingBody {
  b: number
  /** signature, level, seen, bytes, and (since plain bytes) kept and plain bytes, (since backfill) backfilled. */
  p: Array<[string, LevelName, number, number, number?, number?, number?]>
  i: Array<[string, number, number, number]>
}

const row = (
  signature: string,
  level: string,
  seen: number,
  bytes: number,
  kept: number,
  plainBytes: number,
  backfilled: number,
): string =>
  `[${JSON.stringify(signature)},${JSON.stringify(level)},${seen},${bytes},${kept},${plainBytes},${backfilled}]`

/** The pattern rows of a body; read straight from the columns when they are (no object per pattern). */
function patternRows(patterns: Pending['patterns']): string[] {
  const out: string[] = []
  if (patterns instanceof PendingColumns) {
    const { ids, values, size } = patterns.rows
    for (let r = 0; r < size; r++) {
      const { signature, level } = splitPatternKey(patterns.index.key(ids[r]!))
      const at = r * PENDING.width
      out.push(
        row(
          signature,
          level,
          values[at + PENDING.seen]!,
          values[at + PENDING.bytes]!,
          values[at + PENDING.kept]!,
          values[at + PENDING.plainBytes]!,
          values[at + PENDING.backfilled]!,
        ),
      )
    }
    return out
  }
  for (const x of patterns.values())
    out.push(row(x.signature, x.level, x.seen, x.bytes, x.kept, x.plainBytes, x.backfilled ?? 0))
  return out
}

/** A Pending's body (JSON text of a PendingBody). */
export const pendingBody = (p: Pending): string =>
  `{"b":${p.batches},"p":[${patternRows(p.patterns).join(',')}],"i":${JSON.stringify(
    [...p.instances].map(([k, w]) => [k, w.start, w.end, w.seen]),
  )}}`

/** The sum of stored bodies, as a Pending whose period started at `since`. */
export function mergePendingBodies(bodies: string[], since: number | undefined): Pending {
  const out: Pending = { patterns: new Map(), instances: new Map(), batches: 0, since }
  for (const text of bodies) {
    const body = JSON.parse(text) as PendingBody
    out.batches += body.b
    for (const [signature, level, seen, bytes, kept = seen, plainBytes = bytes, backfilled = 0] of body.p) {
      const pp = out.patterns.get(patternKey(signature, level))
      if (pp) {
        pp.seen += seen
        pp.kept += kept
        pp.bytes += bytes
        pp.plainBytes += plainBytes
        pp.backfilled = (pp.backfilled ?? 0) + backfilled
      } else
        out.patterns.set(patternKey(signature, level), {
          signature,
          level,
          seen,
          kept,
          bytes,
          plainBytes,
          backfilled,
        })
    }
    for (const [inst, start, end, seen] of body.i) addSpan(out.instances, inst, start, end, seen)
  }
  return out
}
