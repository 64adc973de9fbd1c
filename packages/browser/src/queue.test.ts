import { describe, expect, it } from 'vitest'
import { createBatchQueue } from './queue.js'
import { KEEPALIVE_MAX_BYTES } from './transport.js'

function recordingQueue(options: { maxQueue?: number; maxBatch?: number; fail?: () => boolean } = {}) {
  const sent: Array<{ items: string[]; hiding: boolean }> = []
  const queue = createBatchQueue<string>({
    maxQueue: options.maxQueue ?? 10,
    maxBatch: options.maxBatch ?? 4,
    encode: (items) => JSON.stringify(items),
    send: async (body, hiding) => {
      if (options.fail?.()) return false
      sent.push({ items: JSON.parse(body), hiding })
      return true
    },
  })
  return { queue, sent }
}

describe('createBatchQueue', () => {
  it('sends queued items in batches of maxBatch, in order', async () => {
    const { queue, sent } = recordingQueue()
    for (let i = 0; i < 9; i++) queue.push(`line ${i}`)
    await queue.flush()
    expect(sent.map((s) => s.items.length)).toEqual([4, 4, 1])
    expect(sent.flatMap((s) => s.items)).toEqual(Array.from({ length: 9 }, (_, i) => `line ${i}`))
    expect(queue.length).toBe(0)
  })

  it('is bounded: beyond maxQueue new items are refused and counted', () => {
    const { queue } = recordingQueue({ maxQueue: 3 })
    const accepted = ['a', 'b', 'c', 'd', 'e'].map((x) => queue.push(x))
    expect(accepted).toEqual([true, true, true, false, false])
    expect(queue.length).toBe(3)
    expect(queue.dropped).toBe(2)
  })

  it('re-queues a failed batch in front of newer items, within the bound', async () => {
    let failing = true
    const { queue, sent } = recordingQueue({ maxQueue: 5, maxBatch: 10, fail: () => failing })
    for (const x of ['a', 'b', 'c']) queue.push(x)
    await queue.flush()
    expect(queue.length).toBe(3)
    for (const x of ['d', 'e', 'f']) queue.push(x)
    expect(queue.dropped).toBe(1)
    failing = false
    await queue.flush()
    expect(sent[0]!.items).toEqual(['a', 'b', 'c', 'd', 'e'])
  })

  it('drops (and counts) a failed batch while the page is hiding, since nothing would send it later', async () => {
    const { queue } = recordingQueue({ fail: () => true })
    queue.push('last')
    await queue.flush(true)
    expect(queue.length).toBe(0)
    expect(queue.dropped).toBe(1)
  })

  it('splits a batch until every request fits the keepalive/beacon size limit', async () => {
    const { queue, sent } = recordingQueue({ maxQueue: 100, maxBatch: 100 })
    const big = 'x'.repeat(KEEPALIVE_MAX_BYTES / 8)
    for (let i = 0; i < 20; i++) queue.push(big)
    await queue.flush(true)
    expect(sent.flatMap((s) => s.items)).toHaveLength(20)
    for (const s of sent) {
      expect(JSON.stringify(s.items).length).toBeLessThanOrEqual(KEEPALIVE_MAX_BYTES)
      expect(s.hiding).toBe(true)
    }
  })
})
