import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { alphaForHalfLife, type EmaState, emaUpdate, isAnomaly, zScore } from './anomaly.js'

function feed(values: number[], alpha: number): EmaState | undefined {
  let s: EmaState | undefined
  for (const v of values) s = emaUpdate(s, v, alpha)
  return s
}

describe('EMA', () => {
  it('seeds with the first value and converges to a constant series', () => {
    const s = feed([10, 10, 10, 10], 0.3)
    expect(s).toEqual({ mean: 10, variance: 0, count: 4 })
  })

  it('tracks mean and variance of a noisy series', () => {
    const values = Array.from({ length: 2000 }, (_, i) => (i % 2 === 0 ? 90 : 110))
    const s = feed(values, 0.01) as EmaState
    expect(s.mean).toBeGreaterThan(98)
    expect(s.mean).toBeLessThan(102)
    expect(Math.sqrt(s.variance)).toBeGreaterThan(8)
    expect(Math.sqrt(s.variance)).toBeLessThan(12)
  })

  it('ignores non-finite observations', () => {
    const s = feed([5, Number.NaN, Number.POSITIVE_INFINITY, 5], 0.5)
    expect(s).toEqual({ mean: 5, variance: 0, count: 2 })
  })

  it('alphaForHalfLife halves the weight after that many samples', () => {
    const a = alphaForHalfLife(10)
    expect((1 - a) ** 10).toBeCloseTo(0.5, 10)
    expect(alphaForHalfLife(0)).toBe(1)
  })

  it('variance never goes negative and the mean stays within the range seen', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (xs, alpha) => {
          const s = feed(xs, alpha) as EmaState
          expect(s.variance).toBeGreaterThanOrEqual(0)
          expect(s.mean).toBeGreaterThanOrEqual(Math.min(...xs) - 1e-6)
          expect(s.mean).toBeLessThanOrEqual(Math.max(...xs) + 1e-6)
        },
      ),
    )
  })
})

describe('zScore and isAnomaly', () => {
  const steady = feed(
    Array.from({ length: 50 }, (_, i) => 100 + (i % 3) - 1),
    alphaForHalfLife(20),
  )

  it('flags a jump far above the baseline and not ordinary wobble', () => {
    expect(isAnomaly(steady, 101)).toBe(false)
    expect(isAnomaly(steady, 120)).toBe(false) // within 10% relative floor × 4
    expect(isAnomaly(steady, 1000)).toBe(true)
    expect(zScore(steady, 1000)).toBeGreaterThan(50)
    expect(zScore(steady, 10)).toBeLessThan(0)
  })

  it('does not trust a young baseline or a tiny rate', () => {
    expect(isAnomaly(feed([1, 1, 1], 0.5), 1000)).toBe(false)
    const quiet = feed(Array(20).fill(0.01), 0.2)
    expect(isAnomaly(quiet, 0.5)).toBe(false)
    expect(isAnomaly(quiet, 5)).toBe(true)
  })

  it('is 0 for an empty baseline', () => {
    expect(zScore(undefined, 5)).toBe(0)
    expect(isAnomaly(undefined, 5)).toBe(false)
  })
})
