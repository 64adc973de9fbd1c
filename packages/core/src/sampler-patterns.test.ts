// Merged patterns in a policy (docs/policy.md, patterns): a rule on a pattern id applies to its members,
// resolved at setPolicy; a member's own rule wins; errors are kept whatever a pattern's rule says.
import { describe, expect, it } from 'vitest'
import { createSampler } from './sampler.js'
import { type Policy, type PolicyInput, parsePolicy } from './schema.js'
import { computeSignature } from './signature.js'

function policy(input: Partial<PolicyInput>): Policy {
  const r = parsePolicy({ service: 'auth', version: 1, ...input, defaults: { floorPerMinute: 0 } })
  if (!r.ok) throw r.error
  return r.value
}

const ROOT = 'Failed password for root from 10.0.0.1 port 22'
const GIT = 'Failed password for git from 10.0.0.2 port 23'
const BOB = 'Failed password for bob from 10.0.0.3 port 24'
const [root, git, bob] = [ROOT, GIT, BOB].map((m) => computeSignature(m).signature) as [
  string,
  string,
  string,
]
const PATTERN = '0123456789abcdef'
const patterns = [
  { id: PATTERN, members: [root, git, bob], template: 'Failed password for <*> from <*> port <*>' },
]

describe('patterns in a policy', () => {
  it('applies a rule on a pattern id to every member at that level', () => {
    const s = createSampler({
      policy: policy({ patterns, rules: [{ signature: PATTERN, level: 'info', rate: 0 }] }),
    })
    for (const m of [ROOT, GIT, BOB]) expect(s.decide('info', m).keep).toBe(false)
    // Other levels of the members are not the pattern's: the default rate applies.
    expect(s.decide('debug', ROOT).keep).toBe(true)
  })

  it("lets a member's own rule (a pin) win over its pattern's", () => {
    const s = createSampler({
      policy: policy({
        patterns,
        rules: [
          { signature: PATTERN, level: 'info', rate: 0 },
          { signature: git, level: 'info', rate: 1, reason: 'pin' },
        ],
      }),
    })
    expect(s.decide('info', ROOT).keep).toBe(false)
    expect(s.decide('info', GIT).keep).toBe(true)
  })

  it('never drops an error because of a pattern rule', () => {
    const s = createSampler({ policy: policy({ patterns, rules: [{ signature: PATTERN, rate: 0 }] }) })
    expect(s.decide('info', BOB).keep).toBe(false)
    expect(s.decide('error', BOB)).toMatchObject({ keep: true, reason: 'always' })
  })

  it('drops the mapping with the next policy that has no patterns', () => {
    const s = createSampler({
      policy: policy({ patterns, rules: [{ signature: PATTERN, level: 'info', rate: 0 }] }),
    })
    expect(s.decide('info', ROOT).keep).toBe(false)
    s.setPolicy(policy({ version: 2, rules: [{ signature: PATTERN, level: 'info', rate: 0 }] }))
    expect(s.decide('info', ROOT).keep).toBe(true)
  })

  it('rejects unbounded or malformed patterns at the contract', () => {
    const many = Array.from({ length: 30 }, (_, i) => ({
      id: i.toString(16).padStart(16, '0'),
      members: Array.from({ length: 1000 }, (_, j) => (i * 1000 + j).toString(16).padStart(16, '0')),
    }))
    expect(parsePolicy({ service: 'auth', version: 1, patterns: many }).ok).toBe(false)
    expect(parsePolicy({ service: 'auth', version: 1, patterns: [{ id: 'nope', members: [root] }] }).ok).toBe(
      false,
    )
    expect(parsePolicy({ service: 'auth', version: 1, patterns }).ok).toBe(true)
  })
})
