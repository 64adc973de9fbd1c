// effectiveRate is the sampler's decision: every decision-order case (always-kept levels, the warn-rule
// override, own-level and any-level rules live or expired, level defaults, newPattern) gives the rate and
// reason a real sampler decides with.
import { describe, expect, it } from 'vitest'
import { effectiveRate } from './rate.js'
import { createSampler } from './sampler.js'
import { type Policy, type PolicyInput, parsePolicy } from './schema.js'
import { LEVEL_NAMES, type LevelName } from './severity.js'
import { computeSignature } from './signature.js'

const NOW = Date.parse('2026-06-01T12:00:00Z')
const PAST = new Date(NOW - 3_600_000).toISOString()
const FUTURE = new Date(NOW + 3_600_000).toISOString()

type RuleState = 'none' | 'live' | 'expired'
const STATES: RuleState[] = ['none', 'live', 'expired']

/** A message of its own per case: letters only, so no token is masked and every signature differs. */
const message = (n: number) =>
  `rate case ${[...n.toString(20)].map((d) => String.fromCharCode(103 + Number.parseInt(d, 20))).join('')}`

interface Case {
  level: LevelName
  own: RuleState
  any: RuleState
  text: string
  signature: string
}

const CASES: Case[] = []
for (const level of LEVEL_NAMES)
  for (const own of STATES)
    for (const any of STATES) {
      const text = message(CASES.length)
      CASES.push({ level, own, any, text, signature: computeSignature(text).signature })
    }

/** A policy with every case's rules under `defaults`; rules of error and fatal keep rate 1 (the contract). */
function policyWith(defaults: PolicyInput['defaults']): Policy {
  const rules: NonNullable<PolicyInput['rules']> = []
  for (const c of CASES) {
    const errorLevel = c.level === 'error' || c.level === 'fatal'
    if (c.own !== 'none')
      rules.push({
        signature: c.signature,
        level: c.level,
        rate: errorLevel ? 1 : 0.25,
        maxPerSecond: 7,
        reason: 'pin',
        ...(c.own === 'expired' ? { expiresAt: PAST } : { expiresAt: FUTURE }),
      })
    if (c.any !== 'none')
      rules.push({
        signature: c.signature,
        rate: 0.625,
        reason: 'budget',
        ...(c.any === 'expired' ? { expiresAt: PAST } : {}),
      })
  }
  const parsed = parsePolicy({
    service: 'rates',
    version: 1,
    defaults: { floorPerMinute: 0, ...defaults },
    rules,
  })
  if (!parsed.ok) throw parsed.error
  return parsed.value
}

const POLICIES: Record<string, Policy> = {
  'default always-keep, level defaults, capped new patterns': policyWith({
    levels: { debug: 0.125, warn: 0.375 },
    newPattern: { rate: 0.5, maxPerSecond: 5 },
  }),
  'info always kept, warn not': policyWith({ alwaysKeep: ['info', 'error'] }),
  'nothing listed always kept': policyWith({ alwaysKeep: [], levels: { trace: 0.0625 } }),
}

describe('effectiveRate', () => {
  for (const [name, policy] of Object.entries(POLICIES)) {
    it(`gives the sampler's rate and reason in every case: ${name}`, () => {
      expect(new Set(CASES.map((c) => c.signature)).size).toBe(CASES.length)
      for (const c of CASES) {
        // A fresh sampler per case: no floor, no bucket state, a random draw that keeps any rate > 0.
        const sampler = createSampler({ policy, now: () => NOW, random: () => 0 })
        const d = sampler.decide(c.level, c.text)
        expect(d.signature).toBe(c.signature)
        const r = effectiveRate(policy, c.signature, c.level, NOW)
        expect({ case: c, rate: r.rate, reason: r.reason }).toEqual({
          case: c,
          rate: d.rate,
          reason: d.reason,
        })
      }
    })
  }

  it('follows the documented order', () => {
    const p = POLICIES['default always-keep, level defaults, capped new patterns'] as Policy
    const at = (level: LevelName, own: RuleState, any: RuleState) => {
      const c = CASES.find((x) => x.level === level && x.own === own && x.any === any) as Case
      const { rate, reason, maxPerSecond } = effectiveRate(p, c.signature, level, NOW)
      return { rate, reason, maxPerSecond }
    }
    // A live warn rule overrides always-keep; an any-level rule does not; an expired one gives it back.
    expect(at('warn', 'live', 'none')).toEqual({ rate: 0.25, reason: 'rule', maxPerSecond: 7 })
    expect(at('warn', 'none', 'live')).toEqual({ rate: 1, reason: 'always', maxPerSecond: undefined })
    expect(at('warn', 'expired', 'live')).toEqual({ rate: 1, reason: 'always', maxPerSecond: undefined })
    // Error lines are kept whatever rules say.
    expect(at('error', 'live', 'live')).toEqual({ rate: 1, reason: 'always', maxPerSecond: undefined })
    // Own level before any level, expired rules skipped, then the level default, then newPattern.
    expect(at('info', 'live', 'live')).toEqual({ rate: 0.25, reason: 'rule', maxPerSecond: 7 })
    expect(at('info', 'expired', 'live')).toEqual({ rate: 0.625, reason: 'rule', maxPerSecond: undefined })
    expect(at('debug', 'expired', 'expired')).toEqual({
      rate: 0.125,
      reason: 'level',
      maxPerSecond: undefined,
    })
    expect(at('info', 'none', 'expired')).toEqual({ rate: 0.5, reason: 'new', maxPerSecond: 5 })
  })

  it('lets a rule apply until its expiry and not after', () => {
    const c = CASES.find((x) => x.level === 'info' && x.own === 'live' && x.any === 'none') as Case
    const p = POLICIES['nothing listed always kept'] as Policy
    expect(effectiveRate(p, c.signature, 'info', Date.parse(FUTURE)).reason).toBe('rule')
    expect(effectiveRate(p, c.signature, 'info', Date.parse(FUTURE) + 1).reason).toBe('new')
  })
})
