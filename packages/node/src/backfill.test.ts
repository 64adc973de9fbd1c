import { describe, expect, it } from 'vitest'
import { BackfillBuffer, BackfillPool, estimateArgsBytes, isReplaying } from './backfill.js'

const written: Array<{ target: unknown; payload: unknown; signature: string; replaying: boolean }> = []
function replay(target: unknown, payload: unknown, signature: string): void {
  written.push({ target, payload, signature, replaying: isReplaying() })
}

describe('BackfillBuffer', () => {
  it('replays held lines oldest first, marks them as replaying, then empties', () => {
    written.length = 0
    const pool = new BackfillPool(1_000_000, 10)
    const buf = new BackfillBuffer(pool)
    for (let i = 0; i < 3; i++) buf.push('log', i, replay, `sig${i}`, 100)
    expect(buf.size).toBe(3)
    expect(pool.used).toBe(300)
    expect(buf.drain()).toBe(3)
    expect(written.map((w) => w.payload)).toEqual([0, 1, 2])
    expect(written.every((w) => w.replaying && w.target === 'log')).toBe(true)
    expect(isReplaying()).toBe(false)
    expect(buf.size).toBe(0)
    expect(pool.used).toBe(0)
  })

  it('keeps the newest lines when the per-scope count cap is reached', () => {
    written.length = 0
    const pool = new BackfillPool(1_000_000, 5)
    const buf = new BackfillBuffer(pool)
    for (let i = 0; i < 500; i++) buf.push(null, i, replay, 's', 10)
    expect(buf.size).toBe(5)
    expect(pool.evicted).toBe(495)
    buf.drain()
    expect(written.map((w) => w.payload)).toEqual([495, 496, 497, 498, 499])
  })

  it('shares one byte budget across scopes and refuses lines beyond it', () => {
    const pool = new BackfillPool(1000, 100)
    const a = new BackfillBuffer(pool)
    const b = new BackfillBuffer(pool)
    for (let i = 0; i < 8; i++) a.push(null, i, replay, 's', 100)
    expect(pool.used).toBe(800)
    // b has nothing of its own to evict: only 200 bytes remain.
    expect(b.push(null, 'x', replay, 's', 150)).toBe(true)
    expect(b.push(null, 'y', replay, 's', 150)).toBe(true) // evicts its own 'x'
    expect(b.size).toBe(1)
    expect(b.push(null, 'z', replay, 's', 5000)).toBe(false)
    expect(pool.used).toBeLessThanOrEqual(1000)
    a.close()
    b.close()
    expect(pool.used).toBe(0)
  })

  it('refuses lines after close and frees its bytes', () => {
    const pool = new BackfillPool(1000, 10)
    const buf = new BackfillBuffer(pool)
    buf.push(null, 1, replay, 's', 10)
    buf.close()
    expect(pool.used).toBe(0)
    expect(buf.push(null, 2, replay, 's', 10)).toBe(false)
    expect(buf.drain()).toBe(0)
  })

  it('reports a failing replay and still writes the rest', () => {
    written.length = 0
    const errors: unknown[] = []
    const buf = new BackfillBuffer(new BackfillPool(1000, 10))
    buf.push(null, 1, replay, 's', 10)
    buf.push(
      null,
      2,
      () => {
        throw new Error('boom')
      },
      's',
      10,
    )
    buf.push(null, 3, replay, 's', 10)
    expect(buf.drain((e) => errors.push(e))).toBe(2)
    expect(written.map((w) => w.payload)).toEqual([1, 3])
    expect(errors).toHaveLength(1)
  })

  it('estimates sizes without serializing', () => {
    expect(estimateArgsBytes(['abc'])).toBe(67)
    expect(estimateArgsBytes([{ a: 1 }, 'x', 1])).toBe(64 + 128 + 1 + 8)
  })
})
