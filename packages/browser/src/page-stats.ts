// The stats of one page: seen / kept / bytes per (signature, level) for one window, held in the shape of a
// stats batch (`POST /v1/stats`, docs/server.md), so a window is sent as it is. A tab sees a few dozen
// patterns, not the thousands of a service: unlike the core StatsTable (space-saving eviction, for a
// process that may see any number), this table stops admitting at its capacity and sums later patterns
// in the overflow row until the window ends. Counts stay exact either way; memory stays bounded.
import { type LevelName, MAX_TEMPLATE_LENGTH, type StatsBatch, type StatsCounter } from '@logsieve/core'

type Pattern = StatsBatch['patterns'][number]
type Counts = Pick<Pattern, 'seen' | 'kept' | 'bytes' | 'keptBytes'>

/** A window's part of a stats batch. */
export type PageWindow = Pick<StatsBatch, 'window' | 'patterns'> & { overflow: Omit<Counts, 'keptBytes'> }

export interface PageStats extends StatsCounter {
  /** The current window (ended now), and a new window from now on. */
  take(): PageWindow
  /** Fold an unsent window back in: its patterns join the current ones (or the overflow row when full). */
  merge(window: PageWindow): void
}

/** A handle is the row itself while its window lasts; `live` goes false when the window is taken. */
interface Slot {
  live: boolean
  row: Counts & Partial<Pattern>
}

const add = (to: Counts, from: Counts) => {
  to.seen += from.seen
  to.kept += from.kept
  to.bytes += from.bytes
  to.keptBytes = (to.keptBytes ?? 0) + (from.keptBytes ?? 0)
}

const now = () => new Date().toISOString()

/** Page stats for at most `capacity` (signature, level) rows per window. */
export function createPageStats(capacity = 500): PageStats {
  let slots = new Map<string, Slot>()
  let overflow: Slot = { live: true, row: { seen: 0, kept: 0, bytes: 0, keptBytes: 0 } }
  let start = now()

  const handle = (signature: string, level: LevelName, template: string): Slot => {
    let slot = slots.get(signature + level)
    if (!slot) {
      if (slots.size >= capacity) return overflow
      const row = { signature, level, template: template.slice(0, MAX_TEMPLATE_LENGTH), firstSeen: now() }
      slot = { live: true, row: { ...row, seen: 0, kept: 0, bytes: 0, keptBytes: 0 } }
      slots.set(signature + level, slot)
    }
    return slot
  }

  return {
    handle,
    // The sampler passes whole, finite sizes (its estimate, or a measured size it checked).
    countInto(h, kept, bytes) {
      if (h.live) add((h as Slot).row, { seen: 1, kept: +kept, bytes, keptBytes: kept ? bytes : 0 })
      return h.live
    },
    addBytes(h, delta, kept) {
      if (h.live) add((h as Slot).row, { seen: 0, kept: 0, bytes: delta, keptBytes: kept ? delta : 0 })
    },
    take() {
      const { seen, kept, bytes } = overflow.row
      const end = now()
      const taken: PageWindow = { window: { start, end }, patterns: [], overflow: { seen, kept, bytes } }
      for (const s of [...slots.values(), overflow]) s.live = false
      for (const s of slots.values()) taken.patterns.push(s.row as Pattern)
      overflow = { live: true, row: { seen: 0, kept: 0, bytes: 0, keptBytes: 0 } }
      slots = new Map()
      start = end
      return taken
    },
    merge({ window, patterns, overflow: o }) {
      if (window.start < start) start = window.start
      add(overflow.row, o)
      for (const p of patterns) {
        const row = handle(p.signature, p.level, p.template).row
        add(row, p)
        // ISO times of one format compare as strings.
        if (row.firstSeen && p.firstSeen && p.firstSeen < row.firstSeen) row.firstSeen = p.firstSeen
      }
    },
  }
}
