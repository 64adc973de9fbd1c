import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { defaultPolicy } from './contract.js'
import { checkPolicy } from './policy-check.js'
import { parsePolicy } from './schema.js'
import { LEVEL_NAMES } from './severity.js'

const hex16 = fc.stringMatching(/^[0-9a-f]{16}$/)
const anyRate = fc.oneof(
  fc.double({ min: -0.5, max: 1.5, noNaN: true }),
  fc.constantFrom(0, 1, 0.5, Number.NaN),
)
const level = fc.constantFrom(...LEVEL_NAMES, 'loud')
const ruleArb = fc.record(
  {
    signature: fc.oneof(hex16, fc.constantFrom('XYZ', '0123456789ABCDEF')),
    rate: anyRate,
    level,
    reason: fc.constantFrom('budget', 'pin', 'new', 'bogus'),
    maxPerSecond: fc.constantFrom(5, 0, -1),
    template: fc.string({ maxLength: 20 }),
    expiresAt: fc.constantFrom('2030-01-01T00:00:00.000Z', 'tomorrow'),
  },
  { requiredKeys: ['signature', 'rate'] },
)
const policyArb = fc.record(
  {
    service: fc.constantFrom('checkout', '', 'bad name', 'a'.repeat(129)),
    environment: fc.constantFrom('prod', 'eu/west-1'),
    version: fc.oneof(fc.nat(), fc.constantFrom(-1, 1.5)),
    source: fc.constantFrom('generated', 'manual', 'nope'),
    refreshSeconds: fc.constantFrom(30, 0, 86_401, 2.5),
    createdAt: fc.constantFrom('2026-01-01T00:00:00.000Z'),
    defaults: fc.record(
      {
        levels: fc.dictionary(level, anyRate, { maxKeys: 3 }),
        newPattern: fc.record({ rate: anyRate, maxPerSecond: fc.constantFrom(20, 0) }, { requiredKeys: [] }),
        alwaysKeep: fc.array(level, { maxLength: 3 }),
      },
      { requiredKeys: [] },
    ),
    rules: fc.array(ruleArb, { maxLength: 4 }),
    patterns: fc.array(
      fc.record(
        {
          id: fc.oneof(hex16, fc.constantFrom('XYZ')),
          members: fc.oneof(
            fc.array(fc.oneof(hex16, fc.constantFrom('nope')), { maxLength: 3 }),
            fc.constantFrom('x'),
          ),
          template: fc.string({ maxLength: 10 }),
          reason: fc.constantFrom('merged', 7),
        },
        { requiredKeys: ['id', 'members'] },
      ),
      { maxLength: 3 },
    ),
  },
  { requiredKeys: ['service', 'version'] },
)

describe('checkPolicy (the zod-free SDK check)', () => {
  it('accepts what parsePolicy accepts, with the same value, and rejects unsafe policies like it', {
    timeout: 60_000,
  }, () => {
    fc.assert(
      fc.property(policyArb, (input) => {
        const strict = parsePolicy(input)
        const lite = checkPolicy(input)
        if (strict.ok) {
          expect(lite.ok).toBe(true)
          if (lite.ok) expect(lite.value).toEqual(strict.value)
        }
        if (!lite.ok) expect(strict.ok).toBe(false)
      }),
      { numRuns: 2000 },
    )
  })

  it('names the field and never samples errors', () => {
    const bad = checkPolicy({ service: 's', version: 1, rules: [{ signature: '0123456789abcdef', rate: 2 }] })
    expect(bad.ok || bad.error.field).toBe('rules[0].rate')
    const errors = checkPolicy({ service: 's', version: 1, defaults: { levels: { fatal: 0.5 } } })
    expect(errors.ok || errors.error.field).toBe('defaults.levels.fatal')
    for (const input of [null, 7, 'x', [], { version: 1 }]) expect(checkPolicy(input).ok).toBe(false)
  })

  it('round-trips the default policy', () => {
    const p = defaultPolicy('api', 'prod')
    expect(checkPolicy(p)).toEqual({ ok: true, value: p })
  })
})
