import fc from 'fast-check'
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

  it('holds what a plain list with the same caps holds, through wraparound, byte evictions and drains', () => {
    // The ring reuses its entries; a model that never reuses anything must agree with it on every step.
    const op = fc.oneof(
      { weight: 8, arbitrary: fc.integer({ min: 1, max: 400 }).map((bytes) => ({ bytes })) },
      { weight: 1, arbitrary: fc.constant('drain' as const) },
    )
    let checked = 0
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 7 }),
        fc.array(op, { minLength: 20, maxLength: 80 }),
        (cap, ops) => {
          const pool = new BackfillPool(1000, cap)
          const buf = new BackfillBuffer(pool)
          let model: Array<{ id: number; bytes: number }> = []
          const used = () => model.reduce((n, l) => n + l.bytes, 0)
          const out: number[] = []
          const collect = (_t: unknown, payload: unknown) => {
            out.push(payload as number)
          }
          const drain = () => {
            out.length = 0
            expect(buf.drain()).toBe(model.length)
            expect(out).toEqual(model.map((l) => l.id))
            model = []
          }
          let id = 0
          for (const o of ops) {
            if (o === 'drain') {
              drain()
            } else {
              while (model.length >= cap || (used() + o.bytes > 1000 && model.length > 0)) model.shift()
              const fits = used() + o.bytes <= 1000
              if (fits) model.push({ id, bytes: o.bytes })
              expect(buf.push(null, id, collect, 's', o.bytes)).toBe(fits)
              id++
            }
            expect(buf.size).toBe(model.length)
            expect(pool.used).toBe(used())
          }
          drain()
          // Runs that went round the ring more than once.
          if (id > 2 * cap) checked++
        },
      ),
    )
    expect(checked).toBeGreaterThan(50)
  })

  it('replays each line with the time it was logged', () => {
    const buf = new BackfillBuffer(new BackfillPool(1000, 2))
    const times: number[] = []
    const before = Date.now()
    for (let i = 0; i < 5; i++) buf.push(null, i, (_t, _p, _s, loggedAt) => times.push(loggedAt), 's', 1)
    buf.drain()
    expect(times).toHaveLength(2)
    for (const t of times) expect(t).toBeGreaterThanOrEqual(before)
    for (const t of times) expect(t).toBeLessThanOrEqual(Date.now())
  })

  it('estimates sizes without serializing', () => {
    expect(estimateArgsBytes(['abc'])).toBe(67)
    expect(estimateArgsBytes([{ a: 1 }, 'x', 1])).toBe(64 + 128 + 1 + 8)
  })
})
