// Pending counts cross to the generation worker a page at a time: the keys as strings and the counts in
// one Float64Array whose buffer is moved, not cloned, with a turn of the event loop between pages (a
// service with a million patterns pending never holds the loop for one big message). Counts kept in
// columns (the aggregator's) are copied out a page at a time, without an object per pattern.
import { type PatternCounts, PENDING, PendingColumns } from '../pending.js'

const PAGE = 10_000

export interface PendingPage {
  /** patternKey(signature, level) of each entry */
  keys: string[]
  /** PENDING.width numbers per entry: seen, kept, bytes, plainBytes, backfilled */
  counts: Float64Array
}

function* pagesOf(patterns: ReadonlyMap<string, PatternCounts>): Generator<PendingPage> {
  if (patterns instanceof PendingColumns) {
    const { rows } = patterns
    for (let from = 0; from < rows.size; from += PAGE) {
      const to = Math.min(rows.size, from + PAGE)
      const keys: string[] = []
      for (let row = from; row < to; row++) keys.push(patterns.keyAt(row))
      yield { keys, counts: rows.values.slice(from * PENDING.width, to * PENDING.width) }
    }
    return
  }
  let keys: string[] = []
  let counts = new Float64Array(PAGE * PENDING.width)
  for (const [key, p] of patterns) {
    const at = keys.length * PENDING.width
    counts[at + PENDING.seen] = p.seen
    counts[at + PENDING.kept] = p.kept
    counts[at + PENDING.bytes] = p.bytes
    counts[at + PENDING.plainBytes] = p.plainBytes
    counts[at + PENDING.backfilled] = p.backfilled ?? 0
    keys.push(key)
    if (keys.length === PAGE) {
      yield { keys, counts }
      keys = []
      counts = new Float64Array(PAGE * PENDING.width)
    }
  }
  if (keys.length > 0) yield { keys, counts: counts.slice(0, keys.length * PENDING.width) }
}

/** Calls `send` with each page of `patterns`; the page's buffer is the receiver's from then on. */
export async function sendPendingPages(
  patterns: ReadonlyMap<string, PatternCounts>,
  send: (page: PendingPage) => void,
): Promise<void> {
  let first = true
  for (const page of pagesOf(patterns)) {
    if (!first) await new Promise((r) => setImmediate(r))
    first = false
    send(page)
  }
}

/** Adds a received page to the counts being rebuilt. */
export function addPendingPage(into: PendingColumns, page: PendingPage): void {
  const { keys, counts } = page
  for (let i = 0; i < keys.length; i++) into.addRow(into.index.intern(keys[i]!), counts, i * PENDING.width)
}
