// Pending counts cross to the generation worker a page at a time: the keys as strings and the counts in
// one Float64Array whose buffer is moved, not cloned, with a turn of the event loop between pages (a
// service with a million patterns pending never holds the loop for one big message).
import type { PendingPattern } from '../stats-aggregator.js'

const PAGE = 10_000
/** seen, kept, bytes, plainBytes, backfilled */
const FIELDS = 5

type Counts = Pick<PendingPattern, 'seen' | 'kept' | 'bytes' | 'plainBytes' | 'backfilled'>

export interface PendingPage {
  /** patternKey(signature, level) of each entry */
  keys: string[]
  counts: Float64Array
}

/** Calls `send` with each page of `patterns`; the page's buffer is the receiver's from then on. */
export async function sendPendingPages(
  patterns: ReadonlyMap<string, Counts>,
  send: (page: PendingPage) => void,
): Promise<void> {
  let keys: string[] = []
  let counts = new Float64Array(PAGE * FIELDS)
  for (const [key, p] of patterns) {
    const at = keys.length * FIELDS
    counts[at] = p.seen
    counts[at + 1] = p.kept
    counts[at + 2] = p.bytes
    counts[at + 3] = p.plainBytes
    counts[at + 4] = p.backfilled ?? 0
    keys.push(key)
    if (keys.length === PAGE) {
      send({ keys, counts })
      keys = []
      counts = new Float64Array(PAGE * FIELDS)
      await new Promise((r) => setImmediate(r))
    }
  }
  if (keys.length > 0) send({ keys, counts: counts.slice(0, keys.length * FIELDS) })
}

/** Adds a received page to the counts being rebuilt. */
export function addPendingPage(into: Map<string, Counts>, page: PendingPage): void {
  const { keys, counts } = page
  for (let i = 0; i < keys.length; i++) {
    const at = i * FIELDS
    into.set(keys[i]!, {
      seen: counts[at]!,
      kept: counts[at + 1]!,
      bytes: counts[at + 2]!,
      plainBytes: counts[at + 3]!,
      backfilled: counts[at + 4]!,
    })
  }
}
