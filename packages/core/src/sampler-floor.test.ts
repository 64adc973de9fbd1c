// The per-minute coverage floor (defaults.floorPerMinute) of the real sampler, on a clock the test drives.
import { describe, expect, it } from 'vitest'
import { createCoarseClock } from './coarse-clock.js'
import { createSampler } from './sampler.js'
import { type Policy, type PolicyInput, parsePolicy } from './schema.js'
import { computeSignature } from './signature.js'

function policy(input: Partial<PolicyInput>): Policy {
  const r = parsePolicy({ service: 'checkout', version: 1, ...input })
  if (!r.ok) throw r.error
  return r.value
}

/** Deterministic, evenly spread numbers in [0, 1) (golden-ratio sequence): rate tests without luck. */
function goldenSequence() {
  let x = 0
  return () => {
    x = (x + 0.618033988749895) % 1
    return x
  }
}

const MINUTE = 60_000
const T0 = Date.parse('2026-11-24T10:00:00Z')

describe('per-minute floor', () => {
  it('keeps the first N lines of a pattern per minute with weight 1, then samples the rest', () => {
    let t = T0 + 5_000
    const s = createSampler({
      policy: policy({ defaults: { levels: { info: 0.25, debug: 0.25 }, floorPerMinute: 3 } }),
      random: () => 0.9, // above every rate: only the floor keeps
      now: () => t,
    })
    const first = Array.from({ length: 3 }, () => {
      const d = s.decide('info', 'user 1 logged in')
      return [d.keep, d.sampleRate, d.rate, d.reason]
    })
    expect(first).toEqual(Array.from({ length: 3 }, () => [true, 1, 1, 'floor']))
    expect(s.decide('info', 'user 2 logged in')).toMatchObject({ keep: false, rate: 0.25, reason: 'level' })
    // Another level of the same signature is another pattern, with its own floor.
    expect(s.decide('debug', 'user 3 logged in')).toMatchObject({ keep: true, reason: 'floor' })
    // Lines past the floor that are kept carry the lines dropped since the last kept one (none here).
    const lucky = createSampler({
      policy: policy({ defaults: { levels: { info: 0.25 }, floorPerMinute: 1 } }),
      random: () => 0.1,
      now: () => t,
    })
    expect(lucky.decide('info', 'a')).toMatchObject({ keep: true, sampleRate: 1, reason: 'floor' })
    expect(lucky.decide('info', 'a')).toMatchObject({ keep: true, sampleRate: 1, reason: 'level' })
    // Within the same minute, nothing more; in the next minute, the floor again, and its line stands for
    // the two info lines dropped since the last kept one.
    t = T0 + 59_999
    expect(s.decide('info', 'user 4 logged in').keep).toBe(false)
    t = T0 + MINUTE
    expect(s.decide('info', 'user 5 logged in')).toMatchObject({ keep: true, reason: 'floor', sampleRate: 3 })
    const row = s.stats.snapshot().rows.find((r) => r.level === 'info')
    expect(row).toMatchObject({ seen: 6, kept: 4 })
  })

  it('counts lines a cap dropped into the next kept line, and never lines a mute dropped', () => {
    let t = T0
    const burstSig = computeSignature('burst line').signature
    const mutedSig = computeSignature('muted line').signature
    const s = createSampler({
      policy: policy({
        defaults: { floorPerMinute: 0 },
        rules: [
          { signature: burstSig, rate: 1, maxPerSecond: 2 },
          { signature: mutedSig, rate: 0 },
        ],
      }),
      now: () => t,
    })
    const burst = Array.from({ length: 10 }, () => s.decide('info', 'burst line').keep)
    expect(burst.filter(Boolean)).toHaveLength(2)
    t += 1000 // the bucket refills
    expect(s.decide('info', 'burst line')).toMatchObject({ keep: true, sampleRate: 9 })
    for (let i = 0; i < 5; i++) expect(s.decide('info', 'muted line').keep).toBe(false)
    s.setPolicy(policy({ rules: [{ signature: mutedSig, rate: 1 }] }))
    expect(s.decide('info', 'muted line')).toMatchObject({ keep: true, sampleRate: 1 })
  })

  it('keeps nothing at rate 0 and leaves rate-1 and always-kept lines as they were', () => {
    const mutedSig = computeSignature('muted line').signature
    const s = createSampler({
      policy: policy({
        defaults: { levels: { debug: 0 }, floorPerMinute: 5, newPattern: { rate: 1 } },
        rules: [{ signature: mutedSig, rate: 0 }],
      }),
      now: () => T0,
    })
    for (let i = 0; i < 10; i++) {
      expect(s.decide('info', 'muted line')).toMatchObject({ keep: false, reason: 'rule' })
      expect(s.decide('debug', 'quiet debug')).toMatchObject({ keep: false, reason: 'level' })
      expect(s.decide('info', 'plain line')).toMatchObject({ keep: true, reason: 'new' })
      expect(s.decide('error', 'muted line')).toMatchObject({ keep: true, reason: 'always' })
    }
  })

  it('keeps floor lines of a capped pattern without spending its tokens', () => {
    const s = createSampler({
      policy: policy({ defaults: { newPattern: { rate: 1, maxPerSecond: 2 }, floorPerMinute: 3 } }),
      now: () => T0,
    })
    const reasons = Array.from({ length: 8 }, () => s.decide('info', 'flood').reason)
    expect(reasons).toEqual(['floor', 'floor', 'floor', 'new', 'new', 'capped', 'capped', 'capped'])
  })

  it('counts exactly: sample_rate over kept lines adds up to what was seen, but the drops after the last', () => {
    let t = T0
    const s = createSampler({
      policy: policy({ defaults: { levels: { info: 0.1 }, floorPerMinute: 2 } }),
      random: goldenSequence(),
      now: () => t,
    })
    // 40 patterns, from 1 to ~400 lines per minute, over 10 minutes: the floor holds a large share of the
    // quiet ones, and the loud ones are sampled at 1/10.
    const volumes = Array.from({ length: 40 }, (_, i) => Math.ceil(400 / (i + 1) ** 1.5))
    const seen = new Map<string, number>()
    const weights = new Map<string, number>()
    /** Lines of each pattern dropped since its last kept line. */
    const tail = new Map<string, number>()
    for (let minute = 0; minute < 10; minute++) {
      for (let k = 0; k < 400; k++) {
        t = T0 + minute * MINUTE + k * 100
        for (let p = 0; p < volumes.length; p++) {
          if (k >= (volumes[p] as number)) continue
          const d = s.decide('info', `pattern ${p} did a thing`, { isFormat: true })
          seen.set(d.signature, (seen.get(d.signature) ?? 0) + 1)
          if (d.keep) {
            weights.set(d.signature, (weights.get(d.signature) ?? 0) + d.sampleRate)
            tail.set(d.signature, 0)
          } else tail.set(d.signature, (tail.get(d.signature) ?? 0) + 1)
        }
      }
    }
    for (const [sig, n] of seen) {
      expect((weights.get(sig) ?? 0) + (tail.get(sig) ?? 0)).toBe(n)
      // The floor keeps each pattern's first lines of every minute: the tail is less than a minute's.
      expect(tail.get(sig) ?? 0).toBeLessThan(400)
    }
    // Quiet patterns (≤ 2 lines a minute) are all floor lines: nothing dropped.
    const quiet = [...seen].filter(([, n]) => n <= 20)
    expect(quiet.length).toBeGreaterThan(5)
    for (const [sig, n] of quiet) expect(weights.get(sig)).toBe(n)
  })

  it('holds floor counts for a bounded number of signatures per minute', () => {
    let t = T0
    const s = createSampler({
      policy: policy({ defaults: { levels: { info: 0.5 }, floorPerMinute: 1 } }),
      random: () => 0.9,
      now: () => t,
    })
    let kept = 0
    for (let i = 0; i < 10_000; i++)
      if (s.decide('info', `distinct message ${i}`, { isFormat: true }).keep) kept++
    // 4,096 signatures got their floor line; the rest of the flood was sampled (and, here, dropped).
    expect(kept).toBe(4096)
    t += MINUTE
    expect(s.decide('info', 'distinct message 9999', { isFormat: true }).reason).toBe('floor')
  })

  it('follows floorPerMinute from each new policy; 0 turns the floor off', () => {
    const s = createSampler({
      policy: policy({ defaults: { levels: { info: 0.5 }, floorPerMinute: 0 } }),
      random: () => 0.9,
      now: () => T0,
    })
    expect(s.decide('info', 'x').keep).toBe(false)
    s.setPolicy(policy({ defaults: { levels: { info: 0.5 }, floorPerMinute: 2 } }))
    expect([s.decide('info', 'x').keep, s.decide('info', 'x').keep, s.decide('info', 'x').keep]).toEqual([
      true,
      true,
      false,
    ])
  })
})

describe('createCoarseClock', () => {
  it('follows Date.now at its resolution and freezes once stopped', async () => {
    const clock = createCoarseClock(5)
    const start = clock.now()
    expect(Math.abs(start - Date.now())).toBeLessThan(50)
    await new Promise((r) => setTimeout(r, 60))
    expect(clock.now()).toBeGreaterThan(start)
    clock.stop()
    const frozen = clock.now()
    await new Promise((r) => setTimeout(r, 30))
    expect(clock.now()).toBe(frozen)
    clock.stop()
  })
})
