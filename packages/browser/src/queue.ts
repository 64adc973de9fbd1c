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

export function createBatchQueue<T>({
  maxQueue,
  maxBatch,
  encode,
  send,
}: BatchQueueOptions<T>): BatchQueue<T> {
  let items: T[] = []
  let dropped = 0

  async function sendChunk(chunk: T[], hiding: boolean): Promise<unknown> {
    const body = encode(chunk)
    const half = chunk.length >> 1
    // Too big to outlive the page: halve until each part fits.
    if (body.length > KEEPALIVE_MAX_BYTES && half)
      return Promise.all([sendChunk(chunk.slice(0, half), hiding), sendChunk(chunk.slice(half), hiding)])
    if (await send(body, hiding)) return
    // Failed lines go back in front of newer ones, but never beyond the bound: the oldest give way.
    // When hiding, the page is going away: they are dropped.
    const room = hiding ? 0 : Math.max(0, maxQueue - items.length)
    dropped += Math.max(0, chunk.length - room)
    items = chunk.slice(Math.max(0, chunk.length - room)).concat(items)
  }

  return {
    push(item) {
      if (items.length >= maxQueue) {
        dropped++
        return false
      }
      items.push(item)
      return true
    },
    async flush(hiding = false) {
      const sends = []
      for (let i = 0; i < items.length; i += maxBatch)
        sends.push(sendChunk(items.slice(i, i + maxBatch), hiding))
      items = []
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
