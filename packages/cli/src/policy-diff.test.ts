import { defaultPolicy, type Policy } from '@logsieve/core'
import { describe, expect, it } from 'vitest'
import { diffPolicies, isEmptyDiff, renderDiff } from './policy-diff.js'

const base = (): Policy => ({
  ...defaultPolicy('checkout'),
  rules: [
    { signature: '0000000000000001', level: 'debug', rate: 0.5, reason: 'budget', template: 'a <*>' },
    { signature: '0000000000000002', rate: 1, reason: 'pin' },
  ],
})

describe('diffPolicies', () => {
  it('finds no change between equal policies', () => {
    const d = diffPolicies(base(), base())
    expect(isEmptyDiff(d)).toBe(true)
    expect(renderDiff(d)).toBe('no changes\n')
  })

  it('reports added, removed and changed rules and changed defaults', () => {
    const next = base()
    next.rules = [
      { signature: '0000000000000001', level: 'debug', rate: 0.125, reason: 'manual', template: 'a <*>' },
      { signature: '0000000000000003', level: 'info', rate: 0, reason: 'pin', template: 'noise' },
    ]
    next.defaults = { ...next.defaults, levels: { debug: 0.25 } }
    const d = diffPolicies(base(), next)
    expect(d.added.map((c) => c.signature)).toEqual(['0000000000000003'])
    expect(d.removed.map((c) => c.signature)).toEqual(['0000000000000002'])
    expect(d.changed).toHaveLength(1)
    expect(d.settings).toEqual([{ path: 'defaults.levels.debug', from: undefined, to: 0.25 }])
    expect(renderDiff(d).split('\n')).toEqual([
      '~ defaults.levels.debug: unset -> 1/4',
      '+ 0000000000000003 info   noise  rate 0 (pin)',
      '- 0000000000000002 *      rate 1 (pin)',
      '~ 0000000000000001 debug  a <*>  rate 1/2 (budget) -> rate 1/8 (manual)',
      '1 added, 1 removed, 1 changed, 1 defaults changed',
      '',
    ])
  })

  it('reports a changed coverage floor', () => {
    const next = base()
    next.defaults = { ...next.defaults, floorPerMinute: 0 }
    const d = diffPolicies(base(), next)
    expect(d.settings).toEqual([{ path: 'defaults.floorPerMinute', from: 1, to: 0 }])
    expect(isEmptyDiff(d)).toBe(false)
  })

  it('treats the same signature at another level as a different rule', () => {
    const next = base()
    next.rules = [{ ...next.rules[0]!, level: 'info' }, next.rules[1]!]
    const d = diffPolicies(base(), next)
    expect([d.added.length, d.removed.length, d.changed.length]).toEqual([1, 1, 0])
  })
})
