import { describe, expect, it } from 'vitest'
import { defaultPolicy } from './contract.js'
import { diffPolicies, isEmptyDiff } from './policy-diff.js'
import type { Policy, Rule } from './schema.js'

const A = '0000000000000001'
const base = (rules: Rule[] = []): Policy => ({ ...defaultPolicy('checkout'), version: 1, rules })

describe('diffPolicies', () => {
  it('finds nothing between equal policies', () => {
    const rule: Rule = { signature: A, rate: 0.5, reason: 'budget' }
    expect(isEmptyDiff(diffPolicies(base([rule]), base([{ ...rule }])))).toBe(true)
  })

  it('calls a rule changed when its rate, cap, expiry or reason differ, not its template', () => {
    const rule: Rule = { signature: A, level: 'info', rate: 0.5, reason: 'budget', template: 'a <*>' }
    const changes: Array<Partial<Rule>> = [
      { rate: 0.25 },
      { maxPerSecond: 3 },
      { expiresAt: '2026-01-01T00:00:00.000Z' },
      { reason: 'pin' },
    ]
    for (const c of changes) {
      const d = diffPolicies(base([rule]), base([{ ...rule, ...c }]))
      expect(d.changed).toEqual([
        { signature: A, level: 'info', template: 'a <*>', from: rule, to: { ...rule, ...c } },
      ])
    }
    expect(isEmptyDiff(diffPolicies(base([rule]), base([{ ...rule, template: 'b <*>' }])))).toBe(true)
  })

  it('reports settings by path and the versions compared, from version 0', () => {
    const to = base([{ signature: A, rate: 0, reason: 'pin' }])
    to.version = 3
    to.refreshSeconds = 60
    to.defaults = { ...to.defaults, levels: { debug: 0.25 }, alwaysKeep: ['error', 'fatal'] }
    const d = diffPolicies(defaultPolicy('checkout'), to)
    expect([d.from, d.to]).toEqual([0, 3])
    expect(d.settings.map((s) => s.path)).toEqual([
      'refreshSeconds',
      'defaults.levels.debug',
      'defaults.alwaysKeep',
    ])
    expect(d.added.map((c) => c.to)).toEqual(to.rules)
  })

  it('treats one signature at another level as another rule', () => {
    const rule: Rule = { signature: A, level: 'debug', rate: 0.5, reason: 'budget' }
    const d = diffPolicies(base([rule]), base([{ ...rule, level: 'info' }]))
    expect([d.added.length, d.removed.length, d.changed.length]).toEqual([1, 1, 0])
  })
})
