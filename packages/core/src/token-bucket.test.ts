import { describe, expect, it } from 'vitest'
import { createBucketMap, createTokenBucket, takeToken } from './token-bucket.js'

describe('token bucket', () => {
  it('allows a burst of the rate, then refills at the rate', () => {
    const b = createTokenBucket(5, 0)
    let kept = 0
    for (let i = 0; i < 20; i++) if (takeToken(b, 0)) kept++
    expect(kept).toBe(5)
    expect(takeToken(b, 100)).toBe(false) // 0.5 tokens
    expect(takeToken(b, 200)).toBe(true) // 1 token
    let later = 0
    for (let i = 0; i < 20; i++) if (takeToken(b, 10_000)) later++
    expect(later).toBe(5) // never more than the burst
  })

  it('holds a burst of its own when given one (the server limiter: 2/s, bursts of 10)', () => {
    const b = createTokenBucket(2, 0, 10)
    let kept = 0
    for (let i = 0; i < 20; i++) if (takeToken(b, 0)) kept++
    expect(kept).toBe(10)
    expect(takeToken(b, 400)).toBe(false)
    expect(takeToken(b, 500)).toBe(true)
    let later = 0
    for (let i = 0; i < 20; i++) if (takeToken(b, 60_000)) later++
    expect(later).toBe(10)
  })

  it('keeps rate × seconds over a long stream', () => {
    const b = createTokenBucket(20, 0)
    let kept = 0
    for (let t = 0; t < 10_000; t++) if (takeToken(b, t)) kept++ // 1,000 lines/s for 10 s
    expect(kept).toBeGreaterThanOrEqual(200)
    expect(kept).toBeLessThanOrEqual(221)
  })

  it('handles rates below one per second and a clock going backwards', () => {
    const b = createTokenBucket(0.5, 1000)
    expect(takeToken(b, 1000)).toBe(true)
    expect(takeToken(b, 1500)).toBe(false)
    expect(takeToken(b, 500)).toBe(false)
    expect(takeToken(b, 2600)).toBe(true)
  })
})

describe('createBucketMap', () => {
  it('keeps one bucket per key and stays bounded', () => {
    const m = createBucketMap(100)
    expect(m.take('a', 1, 0)).toBe(true)
    expect(m.take('a', 1, 0)).toBe(false)
    expect(m.take('b', 1, 0)).toBe(true)
    for (let i = 0; i < 150; i++) m.take(`k${i}`, 1, 0)
    // Full at 100 keys, the map was cleared: the empty bucket of 'a' is gone, a fresh one has a token.
    expect(m.take('a', 1, 0)).toBe(true)
  })

  it('starts a fresh bucket when the rate of a key changes', () => {
    const m = createBucketMap()
    expect(m.take('a', 1, 0)).toBe(true)
    expect(m.take('a', 1, 0)).toBe(false)
    expect(m.take('a', 2, 0)).toBe(true)
  })
})
