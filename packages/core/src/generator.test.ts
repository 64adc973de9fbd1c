import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  BACKFILL_FIELD_BYTES,
  BOOST_BUDGET_SHARE,
  generatePolicy,
  MIN_RATE,
  RATE_STEPS_PER_HALVING,
  roundRate,
  SAMPLE_RATE_FIELD_BYTES,
  samplingFieldBytes,
} from './generator.js'
import { type Pin, parsePolicy, parseSettings, type Settings, type SettingsInput } from './schema.js'
import type { LevelName } from './severity.js'
import type { GeneratorInput, PatternObservation } from './types.js'

const NOW = Date.parse('2026-01-01T00:00:00Z')
const OLD = NOW - 86_400_000
const DAY = 86_400
const sig = (i: number) => i.toString(16).padStart(16, '0')

function settings(input: SettingsInput = {}): Settings {
  const r = parseSettings(input)
  if (!r.ok) throw r.error
  return r.value
}

function pattern(
  i: number,
  eventsPerSecond: number,
  level: LevelName = 'info',
  extra?: Partial<PatternObservation>,
): PatternObservation {
  return {
    signature: sig(i),
    level,
    template: `pattern ${i} <*>`,
    eventsPerSecond,
    bytesPerEvent: 200,
    firstSeen: OLD,
    ...extra,
  }
}

function run(patterns: PatternObservation[], s: SettingsInput, extra?: Partial<GeneratorInput>) {
  return generatePolicy({
    service: 'checkout',
    environment: 'prod',
    patterns,
    settings: settings(s),
    now: NOW,
    ...extra,
  })
}

/** A zipf-like service: a few loud patterns, many quiet ones. */
const zipf = (n: number) => Array.from({ length: n }, (_, i) => pattern(i, 1000 / (i + 1) ** 1.2))
const rateOf = (g: ReturnType<typeof run>, i: number, level?: LevelName) =>
  g.policy.rules.find((r) => r.signature === sig(i) && (level === undefined || r.level === level))?.rate
/** Written size of a kept line at `rate`: sampled, 1 − rate of them carry `sample_rate`. */
const sizeAt = (p: PatternObservation, rate: number) =>
  p.bytesPerEvent + (rate < 1 ? (1 - rate) * SAMPLE_RATE_FIELD_BYTES : 0)

describe('roundRate', () => {
  it('rounds to the nearest quarter power of two (2^(−k/4)) in [1/1024, 1]', () => {
    expect(roundRate(1)).toBe(1)
    expect(roundRate(0.9)).toBe(2 ** -0.25)
    expect(roundRate(0.7)).toBe(2 ** -0.5)
    expect(roundRate(0.52)).toBe(0.5)
    expect(roundRate(0.3)).toBe(2 ** -1.75)
    expect(roundRate(0.26)).toBe(0.25)
    expect(roundRate(1e-9)).toBe(MIN_RATE)
    expect(roundRate(0)).toBe(MIN_RATE)
  })
})

describe('generatePolicy', () => {
  it('keeps everything without a budget and emits a rule per pattern', () => {
    const g = run(zipf(20), {})
    expect(g.overBudget).toBe(false)
    expect(g.policy.rules).toHaveLength(20)
    expect(g.policy.rules.every((r) => r.rate === 1)).toBe(true)
    expect(g.projection.bytesPerDayAfter).toBe(g.projection.bytesPerDayBefore)
  })

  it('fits a bytes budget within -10% and samples the loud patterns, not the quiet ones', () => {
    const patterns = zipf(200)
    const before = run(patterns, {}).projection.bytesPerDayBefore
    const budget = before * 0.2
    const g = run(patterns, { budget: { bytesPerDay: budget } })
    expect(g.overBudget).toBe(false)
    expect(g.projection.bytesPerDayAfter).toBeLessThanOrEqual(budget)
    expect(g.projection.bytesPerDayAfter).toBeGreaterThanOrEqual(budget * 0.9)
    expect(rateOf(g, 0)).toBeLessThan(0.25)
    expect(rateOf(g, 199)).toBe(1)
    expect(g.policy.rules.find((r) => r.signature === sig(0))?.reason).toBe('budget')
    expect(parsePolicy({ ...g.policy, version: 1 }).ok).toBe(true)
  })

  it('supports events/s and reduction budgets', () => {
    const patterns = zipf(100)
    const e = run(patterns, { budget: { eventsPerSecond: 300 } })
    expect(e.projection.eventsPerSecondAfter).toBeLessThanOrEqual(300)
    expect(e.projection.eventsPerSecondAfter).toBeGreaterThan(270)
    const r = run(patterns, { budget: { reduction: 0.9 } })
    expect(r.projection.bytesPerDayAfter).toBeLessThanOrEqual(r.projection.bytesPerDayBefore * 0.1 + 1e-6)
    expect(r.projection.budgetBytesPerDay).toBeCloseTo(r.projection.bytesPerDayBefore * 0.1)
  })

  it('never samples error and fatal, counts them in the projection, and flags overBudget', () => {
    const patterns = [pattern(1, 100, 'error'), pattern(2, 100, 'fatal'), pattern(3, 1000)]
    const budget = 150 * 200 * DAY
    const g = run(patterns, { budget: { bytesPerDay: budget } })
    expect(rateOf(g, 1)).toBe(1)
    expect(rateOf(g, 2)).toBe(1)
    expect(g.overBudget).toBe(true)
    expect(g.projection.overBudget).toBe(true)
    expect(rateOf(g, 3)).toBe(MIN_RATE)
    expect(g.policy.defaults.levels.error).toBe(1)
  })

  it('budgets written bytes and measures savings against plain bytes', () => {
    // Logsieve's fields add 80 B to a 120 B plain line.
    const patterns: PatternObservation[] = zipf(40).map((p) => ({ ...p, plainBytesPerEvent: 120 }))
    patterns.push(pattern(99, 2, 'error', { plainBytesPerEvent: 120 }))
    const g = run(patterns, { budget: { reduction: 0.9 } })
    let plain = 0
    let written = 0
    for (const p of patterns) {
      plain += p.eventsPerSecond * 120 * DAY
      const rate = rateOf(g, Number.parseInt(p.signature, 16), p.level) as number
      const floor = Math.min(p.eventsPerSecond, 1 / 60)
      written += (floor + rate * (p.eventsPerSecond - floor)) * sizeAt(p, rate) * DAY
    }
    expect(g.projection.bytesPerDayBefore).toBeCloseTo(plain, -3)
    expect(g.projection.budgetBytesPerDay).toBeCloseTo(plain * 0.1, -3)
    expect(g.projection.bytesPerDayAfter).toBeCloseTo(written, -3)
    expect(written).toBeLessThanOrEqual(plain * 0.1)
    // Rounding to powers of two leaves little of the budget unspent.
    expect(written).toBeGreaterThan(plain * 0.09)
  })

  it('asks SDKs for the coverage floor and counts its cost in the budget', () => {
    const patterns = zipf(50)
    const before = run(patterns, {}).projection.bytesPerDayBefore
    const budget = before * 0.005
    const g = run(patterns, { budget: { bytesPerDay: budget }, floorPerMinute: 2 }, { instances: 3 })
    expect(g.overBudget).toBe(false)
    expect(g.policy.defaults.floorPerMinute).toBe(2)
    // The floor keeps 2 lines a minute on each of 3 instances; the rate samples what is left.
    const F = (2 * 3) / 60
    let kept = 0
    for (const p of patterns) {
      const rate = rateOf(g, Number.parseInt(p.signature, 16)) as number
      const floor = Math.min(p.eventsPerSecond, F)
      kept += (floor + rate * (p.eventsPerSecond - floor)) * sizeAt(p, rate) * DAY
    }
    expect(g.projection.bytesPerDayAfter).toBeCloseTo(kept, -3)
    expect(g.projection.bytesPerDayAfter).toBeLessThanOrEqual(budget)
    expect(g.policy.rules.some((r) => r.reason === 'floor' && r.rate === MIN_RATE)).toBe(true)
  })

  it('falls back to a floor in expectation when per-instance floors alone exceed the budget', () => {
    const patterns = zipf(50)
    const before = run(patterns, {}).projection.bytesPerDayBefore
    // 2,000 instances (browser tabs) × 1 line/min × 50 patterns is far more than 0.3% of the traffic.
    const g = run(patterns, { budget: { bytesPerDay: before * 0.003 } }, { instances: 2000 })
    expect(g.policy.defaults.floorPerMinute).toBe(0)
    expect(g.overBudget).toBe(false)
    for (const p of patterns) {
      const rate = rateOf(g, Number.parseInt(p.signature, 16)) as number
      expect(rate * p.eventsPerSecond).toBeGreaterThanOrEqual(Math.min(p.eventsPerSecond, 1 / 60) - 1e-12)
    }
  })

  it('says overBudget when even the floors do not fit, and keeps them as SDK floors on one instance', () => {
    const patterns = zipf(50)
    const g = run(patterns, { budget: { bytesPerDay: 1e6 }, floorPerMinute: 6 })
    expect(g.overBudget).toBe(true)
    // Floors in the rates would cost about as much: the per-instance guarantee stays.
    expect(g.policy.defaults.floorPerMinute).toBe(6)
    expect(g.policy.rules.every((r) => r.rate === MIN_RATE && r.reason === 'floor')).toBe(true)
    // On 2,000 instances per-instance floors would cost far more than floors in the rates.
    const fleet = run(patterns, { budget: { bytesPerDay: 1e6 }, floorPerMinute: 6 }, { instances: 2000 })
    expect(fleet.overBudget).toBe(true)
    expect(fleet.policy.defaults.floorPerMinute).toBe(0)
    for (const p of patterns) {
      const rate = rateOf(fleet, Number.parseInt(p.signature, 16)) as number
      expect(rate * p.eventsPerSecond).toBeGreaterThanOrEqual(Math.min(p.eventsPerSecond, 0.1) - 1e-12)
    }
  })

  it('gives debug patterns a smaller share through level weights', () => {
    const patterns = [
      pattern(1, 100, 'info'),
      pattern(2, 100, 'debug'),
      ...zipf(10).map((p, i) => ({ ...p, signature: sig(100 + i) })),
    ]
    const before = run(patterns, {}).projection.bytesPerDayBefore
    const g = run(patterns, { budget: { bytesPerDay: before * 0.1 }, levelWeights: { debug: 0.25 } })
    expect(rateOf(g, 2) as number).toBeLessThan(rateOf(g, 1) as number)
  })

  it('boosts new and anomalous patterns with a cap and an expiry', () => {
    const patterns = [
      pattern(1, 500, 'info', { firstSeen: NOW - 60_000 }),
      pattern(2, 500, 'info', { anomaly: { zScore: 9, baseline: 10 } }),
      pattern(3, 500),
    ]
    const g = run(patterns, {
      budget: { bytesPerDay: 300 * 200 * DAY },
      boostSeconds: 600,
      boostMaxPerSecond: 5,
    })
    const [r1, r2, r3] = [1, 2, 3].map((i) => g.policy.rules.find((r) => r.signature === sig(i)))
    expect(r1).toMatchObject({
      rate: 1,
      reason: 'new',
      maxPerSecond: 5,
      expiresAt: new Date(NOW + 600_000).toISOString(),
    })
    expect(r2).toMatchObject({ rate: 1, reason: 'anomaly', maxPerSecond: 5 })
    expect(r3?.rate).toBeLessThan(1)
  })

  it('counts a boost at its cap across instances, so it does not starve the other patterns', () => {
    const patterns = [pattern(1, 500, 'info', { firstSeen: NOW - 60_000 }), pattern(3, 500)]
    const budget = { bytesPerDay: 100 * 200 * DAY }
    const g = run(patterns, { budget, boostMaxPerSecond: 5 }, { instances: 2 })
    expect(g.policy.rules.find((r) => r.signature === sig(1))).toMatchObject({ rate: 1, reason: 'new' })
    // 90 of the 100 lines/s left for it: 0.18 of 500, the grid's 2^(−11/4) ≈ 0.149 below it.
    expect(rateOf(g, 3)).toBe(2 ** -2.75)
    // Each of the 2 instances also keeps the first line of each pattern per minute: F events/s a pattern.
    const F = 2 / 60
    expect(g.projection.eventsPerSecondAfter).toBeCloseTo(10 + F + F + 2 ** -2.75 * (500 - F))
    expect(g.overBudget).toBe(false)
  })

  it('squeezes the boosts of a fleet so that together they take at most half the budget', () => {
    // A burst of 200 lines/s on 20 instances: at 20 lines/s per instance the boost would keep all of it.
    const patterns = [pattern(1, 200, 'info', { anomaly: { zScore: 40, baseline: 1 } }), ...zipf(20)]
    const before = run(zipf(20), {}).projection.bytesPerDayBefore
    const budget = before * 0.1
    const g = run(patterns, { budget: { bytesPerDay: budget } }, { instances: 20 })
    const boost = g.policy.rules.find((r) => r.signature === sig(1))
    expect(boost).toMatchObject({ rate: 1, reason: 'anomaly' })
    const perInstance = boost?.maxPerSecond as number
    expect(perInstance).toBeLessThan(20)
    expect(perInstance).toBeGreaterThan(0)
    const F = 20 / 60
    expect((perInstance * 20 + F) * 200 * DAY).toBeLessThanOrEqual(budget * BOOST_BUDGET_SHARE)
    expect((perInstance * 1.05 * 20 + F) * 200 * DAY).toBeGreaterThan(budget * BOOST_BUDGET_SHARE * 0.9)
    expect(g.overBudget).toBe(false)
    expect(g.projection.bytesPerDayAfter).toBeLessThanOrEqual(budget)
    // One instance: the same burst at 20 lines/s fits, and the boost keeps its full cap.
    const one = run(patterns, { budget: { bytesPerDay: budget } })
    expect(one.policy.rules.find((r) => r.signature === sig(1))?.maxPerSecond).toBe(20)
  })

  it('treats patterns seen at the service start as its baseline, not as new', () => {
    const start = NOW - 300_000
    const patterns = [
      pattern(1, 500, 'info', { firstSeen: start + 10_000 }), // in the first stats: baseline
      pattern(2, 500, 'info', { firstSeen: NOW - 60_000 }), // appeared later: new
    ]
    const g = run(
      patterns,
      { budget: { bytesPerDay: 200 * 200 * DAY }, baselineSeconds: 120 },
      { knownSince: start },
    )
    expect(g.policy.rules.find((r) => r.signature === sig(1))).toMatchObject({ reason: 'budget' })
    expect(g.policy.rules.find((r) => r.signature === sig(1))?.rate).toBeLessThan(1)
    expect(g.policy.rules.find((r) => r.signature === sig(2))).toMatchObject({ rate: 1, reason: 'new' })
  })

  it('lets pins override, including warn, but never error', () => {
    const pins: Pin[] = [
      { signature: sig(1), rate: 0, reason: 'known noise' },
      { signature: sig(2), level: 'warn', rate: 0.125, reason: 'noisy warning' },
      { signature: sig(3), rate: 0, reason: 'cannot drop errors' },
      { signature: sig(9), rate: 1, reason: 'keep, expired', expiresAt: new Date(NOW - 1).toISOString() },
      { signature: sig(42), level: 'debug', rate: 1, reason: 'not seen yet' },
    ]
    const patterns = [pattern(1, 100), pattern(2, 100, 'warn'), pattern(3, 100, 'error'), pattern(9, 100)]
    const g = run(patterns, { budget: { bytesPerDay: 1e12 } }, { pins })
    expect(g.policy.rules.find((r) => r.signature === sig(1))).toMatchObject({ rate: 0, reason: 'pin' })
    expect(g.policy.rules.find((r) => r.signature === sig(2))).toMatchObject({ rate: 0.125, reason: 'pin' })
    expect(g.policy.rules.find((r) => r.signature === sig(3))).toMatchObject({ rate: 1, reason: 'level' })
    expect(g.policy.rules.find((r) => r.signature === sig(9))?.reason).not.toBe('pin')
    expect(g.policy.rules.find((r) => r.signature === sig(42))).toMatchObject({
      rate: 1,
      level: 'debug',
      reason: 'pin',
    })
    // A rate-0 pin mutes (no floor); the sampled warn keeps its floor line a minute (F) and 1/8 of the rest.
    const F = 1 / 60
    const sampled = (F + 0.125 * (100 - F)) * (200 + samplingFieldBytes(0.125))
    expect(g.projection.bytesPerDayAfter).toBeCloseTo((sampled + (100 + 100) * 200) * DAY, -3)
  })

  it('spends a budget carried by a few loud patterns to within 5% (quarter steps, not halvings)', () => {
    // Three equal patterns and a 30% budget: with powers of two alone, 1/4 each spent 83% of it.
    const patterns = [pattern(1, 100), pattern(2, 100), pattern(3, 100)]
    const before = run(patterns, {}).projection.bytesPerDayBefore
    const g = run(patterns, { budget: { bytesPerDay: before * 0.3 }, floorPerMinute: 0 })
    expect(g.projection.bytesPerDayAfter).toBeLessThanOrEqual(before * 0.3)
    expect(g.projection.bytesPerDayAfter).toBeGreaterThan(before * 0.3 * 0.95)
  })

  it('budgets backfilled lines: the share of dropped lines an error brings back, with their fields', () => {
    const quiet = zipf(20)
    const backfilled = quiet.map((p) => ({ ...p, backfillShare: 0.05 }))
    const before = run(quiet, {}).projection.bytesPerDayBefore
    const budget = { bytesPerDay: before * 0.1 }
    const without = run(quiet, { budget, floorPerMinute: 0 })
    const g = run(backfilled, { budget, floorPerMinute: 0 })
    // The projection counts every written byte: kept lines, and backfilled ones with BACKFILL_FIELD_BYTES.
    let written = 0
    for (const p of backfilled) {
      const rate = rateOf(g, Number.parseInt(p.signature, 16)) as number
      written += p.eventsPerSecond * rate * sizeAt(p, rate) * DAY
      written += p.eventsPerSecond * 0.05 * (1 - rate) * (p.bytesPerEvent + BACKFILL_FIELD_BYTES) * DAY
    }
    expect(g.projection.bytesPerDayAfter).toBeCloseTo(written, -3)
    expect(written).toBeLessThanOrEqual(budget.bytesPerDay)
    // Backfill takes part of the budget, so some rates are lower than without it, none higher.
    const higher = g.policy.rules.filter(
      (r) => r.rate > (rateOf(without, Number.parseInt(r.signature, 16)) ?? 1),
    )
    expect(higher).toEqual([])
    const lower = g.policy.rules.filter(
      (r) => r.rate < (rateOf(without, Number.parseInt(r.signature, 16)) ?? 1),
    )
    expect(lower.length).toBeGreaterThan(0)
  })

  it('says overBudget when backfill alone exceeds the budget', () => {
    // Half of every dropped line comes back: no rate can cut below half the volume.
    const patterns = zipf(10).map((p) => ({ ...p, backfillShare: 0.5 }))
    const before = run(patterns, {}).projection.bytesPerDayBefore
    expect(run(patterns, { budget: { bytesPerDay: before * 0.3 }, floorPerMinute: 0 }).overBudget).toBe(true)
  })

  it('hysteresis keeps the previous rate when the new one is a grid neighbour, unless the budget demands it', () => {
    const patterns = zipf(100)
    const before = run(patterns, {}).projection.bytesPerDayBefore
    const first = run(patterns, { budget: { bytesPerDay: before * 0.3 } })
    const previous = { ...first.policy, version: 1 }
    // Traffic wobbles by 20%: the rates should not churn.
    const wobble = patterns.map((p, i) => ({
      ...p,
      eventsPerSecond: p.eventsPerSecond * (i % 2 ? 1.2 : 0.85),
    }))
    const second = run(wobble, { budget: { bytesPerDay: before * 0.3 } }, { previous })
    const changed = second.policy.rules.filter(
      (r) => r.rate !== previous.rules.find((p) => p.signature === r.signature)?.rate,
    )
    const churnWithout = run(wobble, { budget: { bytesPerDay: before * 0.3 } }).policy.rules.filter(
      (r) => r.rate !== previous.rules.find((p) => p.signature === r.signature)?.rate,
    )
    expect(changed.length).toBeLessThan(churnWithout.length)
    expect(second.projection.bytesPerDayAfter).toBeLessThanOrEqual(before * 0.3)
    // A budget cut by 8×: the held rates must give way.
    const cut = run(patterns, { budget: { bytesPerDay: (before * 0.3) / 8 } }, { previous })
    expect(cut.projection.bytesPerDayAfter).toBeLessThanOrEqual((before * 0.3) / 8)
  })

  it('gives a fleet of 20 instances the same policy as one instance with 20× traffic', () => {
    const one = zipf(30).map((p) => ({ ...p, eventsPerSecond: p.eventsPerSecond * 20 }))
    const fleet = Array.from({ length: 20 }, () => zipf(30)).flat()
    const s = { budget: { bytesPerDay: 5e9 } }
    const a = run(one, s)
    const b = run(fleet, s)
    expect(b.policy.rules.map((r) => r.rate)).toEqual(a.policy.rules.map((r) => r.rate))
    expect(b.projection.bytesPerDayAfter).toBeCloseTo(a.projection.bytesPerDayAfter, 0)
  })

  it('projects cost at costPerGB', () => {
    const g = run([pattern(1, 1000)], { costPerGB: 2 })
    expect(g.projection.costPerDayBefore).toBeCloseTo((1000 * 200 * DAY * 2) / 1e9)
  })
})

const observations = fc.array(
  fc.record({
    eventsPerSecond: fc.double({ min: 0, max: 1e5, noNaN: true }),
    bytesPerEvent: fc.double({ min: 1, max: 5000, noNaN: true }),
    level: fc.constantFrom<LevelName>('trace', 'debug', 'info', 'warn', 'error', 'fatal'),
  }),
  { minLength: 1, maxLength: 60 },
)

function build(obs: Array<{ eventsPerSecond: number; bytesPerEvent: number; level: LevelName }>) {
  return obs.map((o, i) => pattern(i, o.eventsPerSecond, o.level, { bytesPerEvent: o.bytesPerEvent }))
}

describe('generatePolicy properties', () => {
  it('projection fits the budget or says overBudget; rates on the grid; errors 1; floor kept', () => {
    fc.assert(
      fc.property(
        observations,
        fc.double({ min: 1e3, max: 1e13, noNaN: true }),
        fc.nat(10),
        (obs, budget, floor) => {
          const patterns = build(obs)
          const g = run(patterns, { budget: { bytesPerDay: budget }, floorPerMinute: floor })
          if (!g.overBudget) expect(g.projection.bytesPerDayAfter).toBeLessThanOrEqual(budget * (1 + 1e-9))
          for (const r of g.policy.rules) {
            expect(r.rate).toBeGreaterThan(0)
            expect(r.rate).toBeLessThanOrEqual(1)
            const k = -Math.log2(r.rate) * RATE_STEPS_PER_HALVING
            expect(Math.abs(k - Math.round(k))).toBeLessThan(1e-9)
            if (r.level === 'error' || r.level === 'fatal') expect(r.rate).toBe(1)
          }
          // Either the SDKs keep the floor (defaults.floorPerMinute) or the rates carry it in expectation.
          const sdkFloor = g.policy.defaults.floorPerMinute / 60
          for (const p of patterns) {
            const rate = rateOf(g, Number.parseInt(p.signature, 16)) as number
            const floorKept = Math.min(p.eventsPerSecond, sdkFloor)
            expect(floorKept + rate * (p.eventsPerSecond - floorKept)).toBeGreaterThanOrEqual(
              Math.min(p.eventsPerSecond * MIN_RATE, floor / 60, p.eventsPerSecond) * (1 - 1e-9),
            )
          }
          expect(parsePolicy({ ...g.policy, version: 1 }).ok).toBe(true)
        },
      ),
      { numRuns: 200 },
    )
  })

  // Over budget, the floors alone cost more than the budget and are kept anyway: not a fit to compare.
  it('is monotone in the budget: more budget never keeps less (when the smaller one fits)', () => {
    fc.assert(
      fc.property(
        observations,
        fc.double({ min: 1e3, max: 1e12, noNaN: true }),
        fc.double({ min: 1, max: 10, noNaN: true }),
        (obs, budget, factor) => {
          const patterns = build(obs)
          const small = run(patterns, { budget: { bytesPerDay: budget } })
          const large = run(patterns, { budget: { bytesPerDay: budget * factor } })
          if (small.overBudget) return
          expect(large.cap).toBeGreaterThanOrEqual(small.cap)
          expect(large.projection.bytesPerDayAfter).toBeGreaterThanOrEqual(
            small.projection.bytesPerDayAfter * (1 - 1e-9),
          )
        },
      ),
      { numRuns: 200 },
    )
  })
})
