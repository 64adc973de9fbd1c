import { describe, expect, it } from 'vitest'
import { createBaseSampler, createSampler, traceThreshold } from './sampler.js'
import { defaultPolicy, type Policy, type PolicyInput, parsePolicy } from './schema.js'
import { toSeverityNumber } from './severity.js'
import { computeSignature, templateSignature } from './signature.js'
import { createStatsTable } from './stats-table.js'

/** A policy without the per-minute floor, unless the test sets one: most tests look at sampling alone. */
function policy(input: Partial<PolicyInput>): Policy {
  const r = parsePolicy({
    service: 'checkout',
    version: 1,
    ...input,
    defaults: { floorPerMinute: 0, ...input.defaults },
  })
  if (!r.ok) throw r.error
  return r.value
}

/** Deterministic uniform numbers, so rate tests do not depend on luck. */
function lcg(seed = 1) {
  let s = seed
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

const LOGIN = 'user 42 logged in from 10.0.0.1'
const loginSig = computeSignature(LOGIN).signature

describe('createSampler', () => {
  it('keeps everything under the default policy and counts it', () => {
    const s = createSampler()
    const d = s.decide('info', LOGIN)
    expect(d).toMatchObject({
      keep: true,
      signature: loginSig,
      template: 'user <*> logged in from <*>',
      level: 'info',
      severity: 9,
      rate: 1,
      sampleRate: 1,
      // New patterns are capped at 20/s by default, so the first line of the minute is the floor's.
      reason: 'floor',
    })
    expect(s.decide('info', LOGIN)).toMatchObject({ keep: true, rate: 1, sampleRate: 1, reason: 'new' })
    const snap = s.stats.snapshot()
    expect(snap.rows[0]).toMatchObject({
      signature: loginSig,
      seen: 2,
      kept: 2,
      bytes: 2 * (LOGIN.length + 64),
    })
  })

  it('always keeps error and fatal, and warn by default, whatever the rules say', () => {
    const s = createSampler({ policy: policy({ rules: [{ signature: loginSig, rate: 0 }] }) })
    expect(s.decide('error', LOGIN)).toMatchObject({ keep: true, reason: 'always' })
    expect(s.decide(60, LOGIN)).toMatchObject({ keep: true, reason: 'always', level: 'fatal' })
    expect(s.decide('warn', LOGIN)).toMatchObject({ keep: true, reason: 'always' })
    expect(s.decide('info', LOGIN)).toMatchObject({ keep: false, reason: 'rule', rate: 0 })
  })

  it('lets a level-specific rule sample an always-kept warn, never an error', () => {
    const s = createSampler({
      policy: policy({
        rules: [
          { signature: loginSig, level: 'warn', rate: 0 },
          { signature: loginSig, level: 'error', rate: 1 },
        ],
      }),
    })
    expect(s.decide('warn', LOGIN).keep).toBe(false)
    expect(s.decide('error', LOGIN).keep).toBe(true)
  })

  it('samples by rule at about the rule rate and reports the weight', () => {
    const s = createSampler({
      policy: policy({ rules: [{ signature: loginSig, rate: 0.25 }] }),
      random: lcg(),
    })
    let kept = 0
    let weights = 0
    let dropped = 0
    for (let i = 0; i < 4000; i++) {
      const d = s.decide('info', `user ${i} logged in from 10.0.0.${i % 255}`)
      if (d.keep) {
        kept++
        // The weight is the line itself and the lines dropped since the last kept one.
        expect(d.sampleRate).toBe(1 + dropped)
        weights += d.sampleRate
        dropped = 0
      } else dropped++
    }
    expect(kept).toBeGreaterThan(900)
    expect(kept).toBeLessThan(1100)
    // Exact: every line is counted once, but the ones dropped after the last kept line.
    expect(weights + dropped).toBe(4000)
    const row = s.stats.snapshot().rows[0]
    expect(row).toMatchObject({ seen: 4000, kept })
  })

  it('prefers a level rule over a signature-wide rule', () => {
    const s = createSampler({
      policy: policy({
        rules: [
          { signature: loginSig, rate: 0 },
          { signature: loginSig, level: 'debug', rate: 1 },
        ],
      }),
    })
    expect(s.decide('debug', LOGIN).keep).toBe(true)
    expect(s.decide('info', LOGIN).keep).toBe(false)
  })

  it('uses an explicit level default for unknown signatures, else the newPattern default', () => {
    const s = createSampler({
      policy: policy({ defaults: { levels: { debug: 0 }, newPattern: { rate: 0.5 } } }),
      random: () => 0.7,
    })
    expect(s.decide('debug', 'something new')).toMatchObject({ keep: false, reason: 'level', rate: 0 })
    expect(s.decide('info', 'something new')).toMatchObject({ keep: false, reason: 'new', rate: 0.5 })
  })

  it('caps new patterns with a token bucket per signature', () => {
    let t = 0
    const s = createSampler({
      policy: policy({ defaults: { newPattern: { rate: 1, maxPerSecond: 3 } } }),
      now: () => t,
    })
    const kept = () => {
      let n = 0
      for (let i = 0; i < 10; i++) if (s.decide('info', 'flood <x>').keep) n++
      return n
    }
    expect(kept()).toBe(3)
    expect(s.decide('info', 'another flood').keep).toBe(true) // separate bucket
    t += 1000
    expect(kept()).toBe(3)
    expect(s.decide('info', 'flood <x>')).toMatchObject({ keep: false, reason: 'capped' })
  })

  it('caps rules with maxPerSecond and ignores expired rules', () => {
    let t = Date.parse('2026-01-01T00:00:00Z')
    const sigA = computeSignature('boosted').signature
    const s = createSampler({
      policy: policy({
        defaults: { levels: { info: 0 } },
        rules: [
          { signature: sigA, rate: 1, maxPerSecond: 2, reason: 'new', expiresAt: '2026-01-01T00:10:00Z' },
        ],
      }),
      now: () => t,
    })
    const results = Array.from({ length: 5 }, () => s.decide('info', 'boosted').keep)
    expect(results).toEqual([true, true, false, false, false])
    t += 11 * 60_000
    expect(s.decide('info', 'boosted')).toMatchObject({ keep: false, reason: 'level' })
  })

  it('gives each rule its own bucket, so per-level caps of one signature do not interfere', () => {
    const sigA = computeSignature('shared').signature
    const s = createSampler({
      policy: policy({
        rules: [
          { signature: sigA, level: 'info', rate: 1, maxPerSecond: 2 },
          { signature: sigA, level: 'debug', rate: 1, maxPerSecond: 5 },
        ],
      }),
      now: () => 0,
    })
    let info = 0
    let debug = 0
    for (let i = 0; i < 20; i++) {
      if (s.decide('info', 'shared').keep) info++
      if (s.decide('debug', 'shared').keep) debug++
    }
    expect([info, debug]).toEqual([2, 5])
  })

  it('uses format strings as exact templates', () => {
    const s = createSampler()
    const d = s.decide(30, 'user %s logged in', { isFormat: true })
    expect(d.template).toBe('user %s logged in')
    expect(d.signature).toBe(templateSignature('user %s logged in').signature)
  })

  it('decides consistently per trace: a kept trace at a rate is kept at every higher rate', () => {
    const low = createSampler({ policy: policy({ defaults: { levels: { info: 0.125 } } }) })
    const high = createSampler({ policy: policy({ defaults: { levels: { info: 0.5 } } }) })
    const rand = lcg(7)
    let keptLow = 0
    for (let i = 0; i < 2000; i++) {
      const traceId = Array.from({ length: 4 }, () =>
        Math.floor(rand() * 2 ** 32)
          .toString(16)
          .padStart(8, '0'),
      ).join('')
      const a = low.decide('info', 'step one', { traceId }).keep
      expect(low.decide('info', 'step two', { traceId }).keep).toBe(a)
      if (a) {
        keptLow++
        expect(high.decide('info', 'step three', { traceId }).keep).toBe(true)
      }
    }
    expect(keptLow).toBeGreaterThan(150)
    expect(keptLow).toBeLessThan(350)
  })

  it('matches OpenTelemetry consistent sampling on W3C trace ids', () => {
    // OTel keeps when the rightmost 56 bits R ≥ (1 − p)·2^56; the sampler keeps when u ≤ rate.
    expect(traceThreshold('f'.repeat(32))).toBeLessThan(1e-15)
    expect(traceThreshold(`${'f'.repeat(18)}${'0'.repeat(14)}`)).toBe(1)
    expect(traceThreshold(`${'0'.repeat(18)}80000000000000`)).toBe(0.5) // R = 2^55: kept at 1/2
    expect(traceThreshold(`${'0'.repeat(18)}7ffffffff00000`)).toBeGreaterThan(0.5) // just below: dropped
    expect(traceThreshold(`${'0'.repeat(18)}c0000000000000`)).toBe(0.25)
    const s = createSampler({ policy: policy({ defaults: { levels: { info: 0.5 } } }) })
    expect(s.decide('info', 'x', { traceId: `${'0'.repeat(18)}80000000000000` }).keep).toBe(true)
    expect(s.decide('info', 'x', { traceId: `${'0'.repeat(18)}7ffffffff00000` }).keep).toBe(false)
    const other = traceThreshold('req-123')
    expect(other).toBeGreaterThanOrEqual(0)
    expect(other).toBeLessThan(1)
    expect(traceThreshold('req-123')).toBe(other)
  })

  it('setPolicy swaps rules and counts bytes from options', () => {
    const stats = createStatsTable()
    const s = createSampler({ stats })
    expect(s.decide('info', LOGIN).keep).toBe(true)
    s.setPolicy(policy({ rules: [{ signature: loginSig, rate: 0 }] }))
    expect(s.policy.version).toBe(1)
    expect(s.decide('info', LOGIN, { bytes: 1000 }).keep).toBe(false)
    expect(stats.snapshot().rows[0]).toMatchObject({ seen: 2, kept: 1, bytes: LOGIN.length + 64 + 1000 })
    expect(s.stats).toBe(stats)
  })

  it('fails open and reports through onError when its stats table throws', () => {
    const errors: unknown[] = []
    const broken = createStatsTable()
    const fail = () => {
      throw new Error('table broke')
    }
    broken.countInto = fail
    const s = createSampler({
      policy: policy({ rules: [{ signature: loginSig, rate: 0 }] }),
      stats: broken,
      onError: (e) => errors.push(e),
    })
    expect(s.decide('info', LOGIN)).toMatchObject({ keep: true, rate: 1, sampleRate: 1 })
    expect(errors).toHaveLength(1)
  })

  it('treats levels named like Object.prototype members as info', () => {
    const s = createSampler()
    for (const level of ['toString', '__proto__', 'constructor', 'hasOwnProperty']) {
      expect(s.decide(level, LOGIN)).toMatchObject({ level: 'info', severity: 9 })
    }
  })

  it('keeps counts exact across windows and evictions of the stats table', () => {
    const stats = createStatsTable({ capacity: 2 })
    const s = createSampler({ stats, policy: policy({ defaults: { levels: { info: 0 } } }) })
    const formats = ['a %s', 'b %s', 'c %s']
    let total = 0
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 30; i++) s.decide('info', formats[i % (round + 1)], { isFormat: true })
      const snap = stats.snapshot()
      total += snap.rows.reduce((n, r) => n + r.seen, 0) + snap.overflow.seen
      expect(total).toBe(30 * (round + 1))
    }
  })

  it('counts measured sizes of kept lines and estimates later lines of the pattern from them', () => {
    let draw = 0.1
    const s = createSampler({ policy: policy({ defaults: { levels: { info: 0.5 } } }), random: () => draw })
    expect(s.decide('info', 'job %s done', { isFormat: true }).keep).toBe(true)
    s.measured(300)
    draw = 0.9
    expect(s.decide('info', 'job %s done', { isFormat: true }).keep).toBe(false)
    s.measured(5000) // after a drop: ignored
    draw = 0.1
    s.decide('info', 'job %s done', { isFormat: true })
    s.measured(316)
    expect(s.stats.snapshot().rows[0]).toMatchObject({
      seen: 3,
      kept: 2,
      bytes: 300 + 300 + 316,
      keptBytes: 616,
      plainBytes: 300 + 300 + 316,
    })
  })

  it('counts plain bytes apart from written bytes: measured, given, or written less the measured fields', () => {
    let draw = 0.1
    const s = createSampler({ policy: policy({ defaults: { levels: { info: 0.5 } } }), random: () => draw })
    s.decide('info', 'job %s done', { isFormat: true })
    s.measured(300, 180) // Logsieve's fields added 120 B
    draw = 0.9
    s.decide('info', 'job %s done', { isFormat: true }) // dropped: 300 written, 180 plain estimated
    s.decide('info', 'job %s done', { isFormat: true, bytes: 340 }) // 340 written, 220 plain
    s.decide('info', 'job %s done', { isFormat: true, bytes: 340, plainBytes: 200 })
    expect(s.stats.snapshot().rows[0]).toMatchObject({
      seen: 4,
      kept: 1,
      bytes: 300 + 300 + 340 + 340,
      keptBytes: 300,
      plainBytes: 180 + 180 + 220 + 200,
    })
  })

  it('says when the pattern and level of the line it just kept have no measured size yet', () => {
    const s = createSampler({ policy: policy({ defaults: { levels: { debug: 0 } } }) })
    s.decide('info', 'job %s done', { isFormat: true })
    expect(s.sizeUnknown()).toBe(true)
    s.measured(120)
    s.decide('info', 'job %s done', { isFormat: true })
    expect(s.sizeUnknown()).toBe(false)
    // Another level of the pattern has a size of its own; a dropped line is never to be measured.
    s.decide('warn', 'job %s done', { isFormat: true })
    expect(s.sizeUnknown()).toBe(true)
    s.decide('debug', 'job %s done', { isFormat: true })
    expect(s.sizeUnknown()).toBe(false)
  })

  it('marks kept lines to measure: the first 256, the first 8 of a pattern and level, then about 1 in 256', () => {
    const s = createSampler({
      policy: policy({ defaults: { levels: { debug: 0 }, newPattern: { rate: 1 } } }),
    })
    const marks = (n: number, text: string, level = 'info') =>
      Array.from({ length: n }, () => s.decide(level, text, { isFormat: true }).measure)
    expect(marks(256, 'job %s done').every(Boolean)).toBe(true)
    // A dropped line is never measured, and does not use up a measurement.
    expect(marks(10, 'job %s done', 'debug').some(Boolean)).toBe(false)
    // Past the first 256, as a logger does: measure what is asked. A pattern and level is measured until
    // it has 8 measured lines, then about one line in 256.
    const asked: boolean[] = []
    for (let i = 0; i < 64_000; i++) {
      const d = s.decide('info', 'job %s started', { isFormat: true })
      asked.push(d.measure)
      if (d.measure) s.measured(100 + (i % 7))
    }
    expect(asked.slice(0, 8)).toEqual(Array(8).fill(true))
    const later = asked.slice(8).filter(Boolean).length
    expect(later).toBeGreaterThan(190)
    expect(later).toBeLessThan(320)
    // The base sampler measures nothing, so it marks nothing.
    const base = createBaseSampler(createStatsTable(), {
      policy: defaultPolicy('x'),
      severity: toSeverityNumber,
      threshold: traceThreshold,
    })
    expect(base.decide('info', 'a').measure).toBe(false)
  })

  it('reuses a pattern rate until its rule expires, to the millisecond, and until the next policy', () => {
    let t = Date.parse('2026-01-01T00:00:00Z')
    const sig = computeSignature('boosted').signature
    const expiring = (at: string, level?: 'info') =>
      policy({
        defaults: { levels: { info: 0 } },
        rules: [{ signature: sig, rate: 1, reason: 'new', expiresAt: at, ...(level ? { level } : {}) }],
      })
    const s = createSampler({ policy: expiring('2026-01-01T00:10:00.000Z'), now: () => t })
    expect(s.decide('info', 'boosted')).toMatchObject({ keep: true, reason: 'rule' })
    t = Date.parse('2026-01-01T00:10:00.000Z')
    expect(s.decide('info', 'boosted')).toMatchObject({ keep: true, reason: 'rule' })
    t += 1
    expect(s.decide('info', 'boosted')).toMatchObject({ keep: false, reason: 'level' })
    // A new policy with a later expiry applies at once, to the pattern already seen.
    s.setPolicy(expiring('2026-01-01T01:00:00.000Z', 'info'))
    expect(s.decide('info', 'boosted')).toMatchObject({ keep: true, reason: 'rule' })
    t = Date.parse('2026-01-01T01:00:00.001Z')
    expect(s.decide('info', 'boosted')).toMatchObject({ keep: false, reason: 'level' })
  })

  it('reuses one decision object', () => {
    const s = createSampler({ policy: defaultPolicy('x') })
    expect(s.decide('info', 'a')).toBe(s.decide('debug', 'b'))
  })
})

describe('createBaseSampler', () => {
  it('makes the decisions of createSampler for rendered messages, and signs format strings as rendered text', () => {
    const p = policy({
      defaults: { levels: { info: 0.3 }, newPattern: { rate: 0.5, maxPerSecond: 3 }, floorPerMinute: 1 },
      rules: [{ signature: loginSig, rate: 0.2, maxPerSecond: 2 }],
    })
    let t = Date.UTC(2030, 0, 1)
    const options = { policy: p, now: () => t, random: lcg(7) }
    // Both tables on the test's clock: their rows' firstSeen must not depend on the wall clock's millisecond.
    const full = createSampler({ ...options, random: lcg(7), stats: createStatsTable({ now: () => t }) })
    const base = createBaseSampler(createStatsTable({ now: () => t }), {
      ...options,
      severity: toSeverityNumber,
      threshold: traceThreshold,
    })
    const lines = [
      LOGIN,
      'user 7 logged in from 10.0.0.9',
      'cache miss for key 12',
      'job 3 done',
      'job 4 done',
    ]
    for (let i = 0; i < 600; i++) {
      t += 37
      const level = ['debug', 'info', 'warn', 'error'][i % 4]
      const text = lines[i % lines.length]
      const a = full.decide(level, text, { traceId: i % 3 ? undefined : `trace-${i % 7}` })
      const b = base.decide(level, text, { traceId: i % 3 ? undefined : `trace-${i % 7}` })
      expect([b.keep, b.reason, b.rate, b.sampleRate, b.signature]).toEqual([
        a.keep,
        a.reason,
        a.rate,
        a.sampleRate,
        a.signature,
      ])
    }
    expect(base.stats.snapshot().rows).toEqual(full.stats.snapshot().rows)
    // No format strings: isFormat (not in its options type) changes nothing.
    const format = base.decide('info', 'job %s done', { isFormat: true } as object)
    expect(format.signature).toBe(computeSignature('job %s done').signature)
    expect('measured' in base).toBe(false)
  })
})

describe('Decision.pattern', () => {
  it('is one object for the lines of a pattern, another for another pattern, and keeps its memo', () => {
    const sampler = createSampler()
    const first = sampler.decide('info', 'user %s logged in', { isFormat: true }).pattern
    expect(first).toBeDefined()
    ;(first as { memo: unknown }).memo = 'mine'
    // Another line of the format, at its level and at another: the same object.
    expect(sampler.decide('info', 'user %s logged in', { isFormat: true }).pattern).toBe(first)
    expect(sampler.decide('warn', 'user %s logged in', { isFormat: true }).pattern).toBe(first)
    const other = sampler.decide('info', 'order %s shipped', { isFormat: true }).pattern
    expect(other).not.toBe(first)
    expect(other?.memo).toBeUndefined()
    expect(first?.memo).toBe('mine')
  })
})
