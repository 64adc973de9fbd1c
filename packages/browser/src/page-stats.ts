// The stats of one page: seen / kept / bytes per (signature, level) for one window, held in the shape of a
// stats batch (`POST /v1/stats`, docs/server.md), so a window is sent as it is. A tab sees a few dozen
// patterns, not the thousands of a service: unlike the core StatsTable (space-saving eviction, for a
// process that may see any number), this table stops admitting at its capacity and sums later patterns
// in the overflow row until the window ends. Counts stay exact either way; memory stays bounded. Rows
// carry no firstSeen: the server takes the earlier of a row's firstSeen and its window's start, and a
// page's row is never older than its window.
import { type LevelName, MAX_TEMPLATE_LENGTH, type StatsBatch, type StatsCounter } from '@logsieve/core'

type Pattern = StatsBatch['patterns'][number]
type Row = Pattern & { keptBytes: number }
type Counts = Pick<Row, 'seen' | 'kept' | 'bytes' | 'keptBytes'>

/** A window's part of a stats batch. */
export type PageWindow = Pick<StatsBatch, 'window' | 'patterns'> & { overflow: Omit<Counts, 'keptBytes'> }

export interface PageStats extends StatsCounter {
  /** The current window (ended now), and a new window from now on. */
  take(): PageWindow
  /** Fold an unsent window back in: its patterns join the current ones (or the overflow row when full). */
  merge(window: PageWindow): void
}

const now = () => new Date().toISOString()
const zero = (): Counts => ({ seen: 0, kept: 0, bytes: 0, keptBytes: 0 })

/** Page stats for at most `capacity` (signature, level) rows per window. */
export function createPageStats(capacity = 500): PageStats {
  let rows = new Map<string, Row>()
  let overflow = zero()
  let start = now()

  // A handle is the row itself (no `live` field: the sampler only reads countInto's answer). It is live
  // while the current window holds it: after take() the sampler finds its handle dead and asks again.
  const add = (h: unknown, seen: number, kept: number, bytes: number, keptBytes = 0) => {
    const row = h as Row
    const live = row === overflow || rows.get(row.signature + row.level) === row
    if (live) {
      row.seen += seen
      row.kept += kept
      row.bytes += bytes
      row.keptBytes += keptBytes
    }
    return live
  }

  const handle = (signature: string, level: LevelName, template: string): Row => {
    let row = rows.get(signature + level)
    if (!row) {
      if (rows.size >= capacity) return overflow as Row
      row = { signature, level, template: template.slice(0, MAX_TEMPLATE_LENGTH), ...zero() }
      rows.set(signature + level, row)
    }
    return row
  }

  return {
    handle: handle as unknown as StatsCounter['handle'],
    // The sampler passes whole, finite sizes (its estimate, or a measured size it checked).
    // No addBytes: the page's sampler never measures a line, so every size is its estimate.
    countInto: (h, kept, bytes) => add(h, 1, +kept, bytes, kept ? bytes : 0),
    take() {
      const { seen, kept, bytes } = overflow
      const end = now()
      const taken = { window: { start, end }, patterns: [...rows.values()], overflow: { seen, kept, bytes } }
      rows = new Map()
      overflow = zero()
      start = end
      return taken
    },
    merge({ window, patterns, overflow: o }) {
      // ISO times of one format compare as strings.
      if (window.start < start) start = window.start
      add(overflow, o.seen, o.kept, o.bytes)
      for (const p of patterns) {
        add(handle(p.signature, p.level, p.template), p.seen, p.kept, p.bytes, p.keptBytes)
      }
    },
  }
}
