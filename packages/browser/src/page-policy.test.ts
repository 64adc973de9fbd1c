// The page's policy check against core's parsePolicy (the zod schema: the wire contract's one definition): the same
// verdict whenever the fields it does not look at are valid, never stricter, and the same sampling
// decisions from what it returns as from parsePolicy's rebuilt policy. A property test over policies whose
// every sampler-read field varies, invalid values included.
import {
  computeSignature,
  createSampler,
  defaultPolicy,
  LEVEL_NAMES,
  type Policy,
  parsePolicy,
} from '@logsieve/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { checkPagePolicy } from './page-policy.js'

const MESSAGES = [
  'cart 1 updated',
  'cart 2 updated',
  'page loaded',
  'image 7 decoded in 12ms',
  'route changed',
]
const SIGNATURES = MESSAGES.map((m) => createSampler().decide('info', m).signature)

/** Mostly valid values, with an invalid one now and then, so that many policies pass both checks. */
const mostly = <T, U>(valid: fc.Arbitrary<T>, invalid: fc.Arbitrary<U>) =>
  fc.oneof({ arbitrary: valid, weight: 12 }, { arbitrary: invalid, weight: 1 })
const rate = mostly(
  fc.oneof(fc.constantFrom(0, 1, 0.5, 0.25), fc.double({ min: 0, max: 1, noNaN: true })),
  fc.constantFrom(Number.NaN, -0.1, 1.5, '0.5'),
)
const level = mostly(fc.constantFrom(...LEVEL_NAMES), fc.constant('loud'))
const cap = mostly(fc.constantFrom(5, 1, 0.5), fc.constantFrom(0, -1, '3'))
const rule = mostly(
  fc.record(
    {
      signature: mostly(
        fc.constantFrom(...SIGNATURES),
        fc.constantFrom('XYZ', '0123456789ABCDEF', 1234567890123456),
      ),
      level,
      rate,
      maxPerSecond: cap,
      reason: fc.constantFrom('budget', 'pin'),
      expiresAt: mostly(
        fc.constantFrom('2099-01-01T00:00:00.000Z', '2001-01-01T00:00:00.000Z'),
        fc.constantFrom('tomorrow', 5),
      ),
    },
    { requiredKeys: ['signature', 'rate'] },
  ),
  fc.constantFrom(null, 7, { signature: SIGNATURES[0] }),
)
// Every field the sampler or the poller reads varies, with invalid values among the valid ones; the
// descriptive fields (service, source…) are valid, so both checks must agree on every input.
const policy = fc.record(
  {
    service: fc.constant('shop-web'),
    environment: fc.constant('prod'),
    version: mostly(fc.nat(), fc.constantFrom(-1, 1.5, '2')),
    source: fc.constantFrom('generated', 'manual'),
    refreshSeconds: mostly(fc.constantFrom(30, 1, 86_400), fc.constantFrom(0, 86_401, 2.5)),
    defaults: mostly(
      fc.record(
        {
          levels: mostly(fc.dictionary(level, rate, { maxKeys: 3 }), fc.constantFrom(null, [0.5])),
          newPattern: mostly(
            fc.record({ rate, maxPerSecond: cap }, { requiredKeys: [] }),
            fc.constantFrom(null, 'x'),
          ),
          alwaysKeep: mostly(fc.array(level, { maxLength: 3 }), fc.constantFrom('warn', null)),
          floorPerMinute: mostly(fc.constantFrom(0, 1, 3, 1000), fc.constantFrom(1001, -1, 1.5)),
        },
        { requiredKeys: [] },
      ),
      fc.constantFrom(null, [], 3),
    ),
    rules: mostly(fc.array(rule, { maxLength: 4 }), fc.constant({})),
  },
  { requiredKeys: ['service', 'version'] },
)

/** The decisions of a sampler under `p` for a fixed run of lines (same clock and random source). */
function decisions(p: Policy): string[] {
  let t = Date.UTC(2030, 0, 1)
  let seed = 1
  const sampler = createSampler({
    policy: p,
    now: () => t,
    random: () => {
      seed = (seed * 16807) % 2147483647
      return seed / 2147483647
    },
  })
  const out: string[] = []
  for (let i = 0; i < 120; i++) {
    t += 97
    const d = sampler.decide(LEVEL_NAMES[i % 6], MESSAGES[i % MESSAGES.length])
    out.push(`${d.keep} ${d.reason} ${d.rate} ${d.sampleRate}`)
  }
  return out
}

describe('checkPagePolicy', () => {
  it('gives parsePolicy’s verdict, and the same decisions from what it returns', () => {
    fc.assert(
      fc.property(policy, (input) => {
        const full = parsePolicy(input)
        const page = checkPagePolicy(input)
        expect(page.ok).toBe(full.ok)
        if (full.ok && page.ok) {
          expect(decisions(page.value)).toEqual(decisions(full.value))
          expect(page.value.version).toBe(full.value.version)
          expect(page.value.refreshSeconds ?? 30).toBe(full.value.refreshSeconds)
        }
        // (The field named may differ when several are wrong: parsePolicy checks the never-sampled rule
        // after the shape, the page check as it meets each rate.)
      }),
      { numRuns: 1500 },
    )
    // zod builds every default it fills in: 1,500 policies take seconds on a loaded machine.
  }, 60_000)

  it('is lenient only about what the sampler does not read', () => {
    const lax = { ...defaultPolicy('shop-web'), service: 'bad name!', source: 'nope', rules: [] }
    expect(parsePolicy(lax).ok).toBe(false)
    expect(checkPagePolicy(lax).ok).toBe(true)
    for (const input of [null, 7, 'x', [], {}, { version: 1, rules: [{ signature: 'XYZ', rate: 1 }] }]) {
      expect(checkPagePolicy(input).ok).toBe(false)
    }
  })

  it('names the field at fault and never lets errors be sampled', () => {
    const bad = checkPagePolicy({ version: 1, rules: [{ signature: '0123456789abcdef', rate: 2 }] })
    expect(bad.ok || [bad.error.code, bad.error.field]).toEqual(['LOGSIEVE_POLICY_INVALID', 'rules[0].rate'])
    const errors = checkPagePolicy({ version: 1, defaults: { levels: { fatal: 0.5 } } })
    expect(errors.ok || errors.error.field).toBe('defaults.levels.fatal')
    const rule = checkPagePolicy({
      version: 1,
      rules: [{ signature: '0123456789abcdef', level: 'error', rate: 0 }],
    })
    expect(rule.ok || rule.error.field).toBe('rules[0].rate')
  })

  it('checks merged patterns as parsePolicy does, and the page sampler applies them per member', () => {
    const [a, b] = ['login 1 by root', 'login 2 by git'].map((m) => computeSignature(m).signature)
    const patterns = [{ id: '0123456789abcdef', members: [a, b], template: 'login <*> by <*>', reason: '' }]
    const input = {
      ...defaultPolicy('shop-web'),
      defaults: { ...defaultPolicy('shop-web').defaults, floorPerMinute: 0 },
      rules: [{ signature: '0123456789abcdef', level: 'info', rate: 0, reason: 'manual' }],
      patterns,
    }
    const page = checkPagePolicy(input)
    expect(page.ok).toBe(true)
    expect(parsePolicy(input).ok).toBe(true)
    const sampler = createSampler()
    if (page.ok) sampler.setPolicy(page.value)
    expect(sampler.decide('info', 'login 1 by root').keep).toBe(false)
    expect(sampler.decide('info', 'login 2 by git').keep).toBe(false)
    for (const bad of [[{ id: 'x', members: [a] }], [{ id: '0123456789abcdef', members: 'nope' }], [7], {}]) {
      const verdict = checkPagePolicy({ version: 1, patterns: bad })
      expect(verdict.ok).toBe(false)
      expect(parsePolicy({ ...defaultPolicy('shop-web'), patterns: bad }).ok).toBe(false)
    }
  })

  it('caps brand-new patterns as parsePolicy does when the policy has no newPattern', () => {
    const page = checkPagePolicy({ version: 3 })
    expect(page.ok && page.value.defaults.newPattern).toEqual({ rate: 1, maxPerSecond: 20 })
    expect(checkPagePolicy(defaultPolicy('shop-web'))).toEqual({ ok: true, value: defaultPolicy('shop-web') })
  })
})
