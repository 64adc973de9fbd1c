import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { backoff } from './backoff.js'
import { groupKey, patternKey, splitGroupKey } from './keys.js'
import { LEVEL_NAMES } from './severity.js'

describe('patternKey and groupKey', () => {
  it('never give two different pairs one key', () => {
    const name = fc.string({ unit: fc.constantFrom('a', 'b', '0', ':', '*', '+', 'info') })
    const level = fc.option(fc.constantFrom(...LEVEL_NAMES), { nil: undefined })
    fc.assert(
      fc.property(name, level, name, level, (s1, l1, s2, l2) => {
        expect(patternKey(s1, l1) === patternKey(s2, l2)).toBe(s1 === s2 && l1 === l2)
      }),
    )
    fc.assert(
      fc.property(name, name, name, name, (a, b, c, d) => {
        expect(groupKey(a, b) === groupKey(c, d)).toBe(a === c && b === d)
        expect(splitGroupKey(groupKey(a, b))).toEqual([a, b])
      }),
    )
  })
})

describe('backoff', () => {
  it('doubles from the base up to the cap, with a jitter in [0.5, 1) of the step', () => {
    const steps = [1000, 2000, 4000, 5000, 5000]
    for (let i = 0; i < 2000; i++) {
      const n = 1 + (i % steps.length)
      const step = steps[n - 1] as number
      const d = backoff(n, 1000, 5000)
      expect(d).toBeGreaterThanOrEqual(step / 2)
      expect(d).toBeLessThan(step)
    }
    expect(backoff(1e6, 1000, 60_000)).toBeLessThan(60_000)
    expect(backoff(1e6, 1000, 60_000)).toBeGreaterThanOrEqual(30_000)
  })
})
