import { describe, expect, it } from 'vitest'
import { defaultPolicy, parsePolicy, parseStatsBatch } from './schema.js'

const now = new Date().toISOString()
const batch = (patterns: unknown[]) => ({
  sdk: { name: '@logsieve/node', version: '0.1.0' },
  service: 'checkout',
  window: { start: now, end: now },
  patterns,
})
const pattern = {
  signature: '9f2c4e1a7b3d5f60',
  level: 'info',
  template: 'user <*>',
  seen: 10,
  kept: 2,
  bytes: 800,
}

describe('parsePolicy', () => {
  it('fills defaults for a minimal policy', () => {
    const r = parsePolicy({ service: 'checkout', version: 3 })
    expect(r.ok).toBe(true)
    if (!r.ok) return
    expect(r.value.environment).toBe('default')
    expect(r.value.defaults.alwaysKeep).toEqual(['warn', 'error', 'fatal'])
    expect(r.value.defaults.newPattern).toEqual({ rate: 1, maxPerSecond: 20 })
    expect(r.value.rules).toEqual([])
  })

  it('names the field of a bad rate', () => {
    const r = parsePolicy({
      service: 's',
      version: 1,
      rules: [pattern, { signature: '0123456789abcdef', rate: 2 }],
    })
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.error.field).toBe('rules[0].rate')
    expect(r.error.code).toBe('LOGSIEVE_POLICY_INVALID')
  })

  it('rejects a policy that samples errors', () => {
    const byDefault = parsePolicy({ service: 's', version: 1, defaults: { levels: { error: 0.5 } } })
    expect(byDefault.ok || byDefault.error.field).toBe('defaults.levels.error')
    const byRule = parsePolicy({
      service: 's',
      version: 1,
      rules: [{ signature: '0123456789abcdef', level: 'fatal', rate: 0.25 }],
    })
    expect(byRule.ok || byRule.error.field).toBe('rules[0].rate')
    expect(byRule.ok || byRule.error.message).toMatch(/never sampled/)
  })

  it('accepts its own default policy', () => {
    expect(parsePolicy(defaultPolicy('api', 'prod')).ok).toBe(true)
  })

  it('never throws on garbage', () => {
    for (const input of [null, undefined, 42, 'x', [], { service: '' }, { service: 's', version: -1 }]) {
      expect(parsePolicy(input).ok).toBe(false)
    }
  })
})

describe('parseStatsBatch', () => {
  it('accepts a valid batch', () => {
    const r = parseStatsBatch(batch([pattern]))
    expect(r.ok).toBe(true)
  })

  it('names the field of a bad signature and a negative count', () => {
    const sig = parseStatsBatch(batch([{ ...pattern, signature: 'XYZ' }]))
    expect(sig.ok || sig.error.field).toBe('patterns[0].signature')
    const neg = parseStatsBatch(batch([pattern, { ...pattern, seen: -1 }]))
    expect(neg.ok || neg.error.field).toBe('patterns[1].seen')
    expect(neg.ok || neg.error.message).toMatch(/patterns\[1\]\.seen must be >= 0$/)
  })
})
