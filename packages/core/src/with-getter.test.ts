import { describe, expect, it } from 'vitest'
import { withGetter } from './with-getter.js'

// That it keeps the sampler, the stats table and the sieve fast objects: packages/node/test/fast-objects.test.ts.
describe('withGetter', () => {
  it('adds an enumerable read-only accessor that reads the current value', () => {
    let n = 1
    const o = withGetter({ a: 'x' }, 'count', () => n)
    n = 2
    expect(o.count).toBe(2)
    expect(Object.keys(o)).toEqual(['a', 'count'])
    expect(() => {
      ;(o as { count: number }).count = 3
    }).toThrow(TypeError)
  })

  it('gives each object its own value through the one shared getter', () => {
    const a = withGetter({}, 'size', () => 'a')
    const b = withGetter({}, 'size', () => 'b')
    expect([a.size, b.size]).toEqual(['a', 'b'])
    expect(Object.getOwnPropertyDescriptor(a, 'size')?.get).toBe(
      Object.getOwnPropertyDescriptor(b, 'size')?.get,
    )
  })
})
