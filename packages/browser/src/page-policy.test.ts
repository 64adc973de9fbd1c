// The page's policy check against core's parsePolicy (the policy's one definition, which the server and the
// Node SDK run). Field by field: every field of the definition at and past its limits gives the same
// verdict, naming the same field, except the few the page does not read (listed below, and no others);
// it is never stricter; and what both accept samples the same. Then a property test over policies whose
// every sampler-read field varies at once, invalid values included.
import {
  computeSignature,
  createSampler,
  defaultPolicy,
  LEVEL_NAMES,
  type Policy,
  parsePolicy,
  policyDefinition,
} from '@logsieve/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fieldMutations, isJson, pathText } from '../../../test/support/field-mutations.js'
import { WIRE_EXAMPLES } from '../../../test/support/wire-examples.js'
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

/**
 * Fields the page does not check, or more loosely, because neither the sampler nor the poller reads them
 * (or not the part left out): the server sends only policies that passed parsePolicy anyway.
 */
const PAGE_LENIENT = [
  'service', // names, reasons and dates of record
  'environment',
  'source',
  'createdAt',
  'author',
  'reason',
  'rules[].reason',
  'rules[].template',
  'rules[].expiresAt', // read with Date.parse: any date it reads, not only RFC 3339
  'patterns', // bounded by MAX_RULES, not the server's tighter pattern limits
  'patterns[].members',
  'patterns[].template',
  'patterns[].reason',
  'projection', // the sampler never reads it
]

/** The closest listed field that `field` (a path, `rules[3].template`) is or lies within, if any. */
const lenientAt = (field: string | undefined) => {
  const text = field?.replace(/\[\d+\]/g, '[]') ?? ''
  const within = PAGE_LENIENT.filter(
    (f) => text === f || text.startsWith(`${f}.`) || text.startsWith(`${f}[`),
  )
  return within.sort((a, b) => b.length - a.length)[0] // the closest listed field
}

/** Every field of the definition, one at a time, plus the never-sampled rule on each level and rule. */
function singleFieldChanges() {
  const example = (WIRE_EXAMPLES.find(([name]) => name === 'policy') as [string, unknown, Policy])[2]
  // What reaches the page is JSON (from the server or localStorage).
  const out = fieldMutations(policyDefinition.json, example).filter((m) => isJson(m.input))
  for (const level of ['error', 'fatal'] as const) {
    for (const rate of [0, 0.5, 1]) {
      const levels = { ...example.defaults, levels: { [level]: rate } }
      out.push({
        path: ['defaults', 'levels', level],
        label: `${rate}`,
        input: { ...example, defaults: levels },
      })
      const rules = [{ ...example.rules[0], level, rate }]
      out.push({ path: ['rules', 0, 'rate'], label: `${level} ${rate}`, input: { ...example, rules } })
    }
  }
  return out
}

describe('checkPagePolicy', () => {
  it('gives parsePolicy’s verdict on every field, naming the same field, but for those it does not read', () => {
    const lenient = new Set<string>()
    const changes = singleFieldChanges()
    for (const { path, label, input } of changes) {
      const full = parsePolicy(input)
      const page = checkPagePolicy(input)
      const where = `${pathText(path)} = ${label}`
      if (!page.ok) {
        expect(full.ok, where).toBe(false)
        // (A whole object replaced: parsePolicy may stop first at a field the page does not read.)
        if (!full.ok && !lenientAt(full.error.field)) {
          expect(page.error.field || undefined, where).toBe(full.error.field)
        }
      } else if (!full.ok) {
        const at = lenientAt(full.error.field)
        expect(at, `${where}: page accepts, parsePolicy says ${full.error.message}`).toBeDefined()
        lenient.add(at as string)
      } else {
        expect(decisions(page.value), where).toEqual(decisions(full.value))
        expect(page.value.refreshSeconds ?? 30, where).toBe(full.value.refreshSeconds)
      }
    }
    // The list holds nothing the page has since learnt to check.
    expect([...lenient].sort()).toEqual([...PAGE_LENIENT].sort())
    expect(changes.length).toBeGreaterThan(150)
  }, 60_000) // a few hundred policies, some of 20,001 rules: seconds on a loaded machine

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
    // 1,500 policies, each sampled 120 times twice: seconds on a loaded machine.
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
