// A bounded queue of kept lines, sent in batches that fit the keepalive/beacon size limit.
import { KEEPALIVE_MAX_BYTES } from './transport.js'

export interface BatchQueueOptions<T> {
  maxQueue: number
  maxBatch: number
  encode: (items: T[]) => string
  /** Send one encoded batch; resolves to false when it failed. */
  send: (body: string, hiding: boolean) => Promise<boolean>
}

export interface BatchQueue<T> {
  push(item: T): boolean
  /** Send everything queued. When `hiding`, nothing is re-queued (the page is going away). */
  flush(hiding?: boolean): Promise<void>
  readonly length: number
  /** Items dropped because the queue was full. */
  readonly dropped: number
}

export function createBatchQueue<T>(options: BatchQueueOptions<T>): BatchQueue<T> {
  let items: T[] = []
  let dropped = 0

  function requeue(failed: T[]): void {
    // Failed lines go back in front of newer ones, but never beyond the bound: the oldest give way.
    const room = options.maxQueue - items.length
    if (room < failed.length) dropped += failed.length - Math.max(0, room)
    items = failed.slice(Math.max(0, failed.length - room)).concat(items)
  }

  async function sendChunk(chunk: T[], hiding: boolean): Promise<void> {
    const body = options.encode(chunk)
    if (body.length > KEEPALIVE_MAX_BYTES && chunk.length > 1) {
      // Too big to outlive the page: halve until each part fits.
      const half = chunk.length >> 1
      await Promise.all([sendChunk(chunk.slice(0, half), hiding), sendChunk(chunk.slice(half), hiding)])
      return
    }
    const ok = await options.send(body, hiding)
    if (!ok && !hiding) requeue(chunk)
    else if (!ok) dropped += chunk.length
  }

  return {
    push(item) {
      if (items.length >= options.maxQueue) {
        dropped++
        return false
      }
      items.push(item)
      return true
    },
    async flush(hiding = false) {
      const taken = items
      items = []
      const sends: Promise<void>[] = []
      for (let i = 0; i < taken.length; i += options.maxBatch) {
        sends.push(sendChunk(taken.slice(i, i + options.maxBatch), hiding))
      }
      await Promise.all(sends)
    },
    get length() {
      return items.length
    },
    get dropped() {
      return dropped
    },
  }
}
