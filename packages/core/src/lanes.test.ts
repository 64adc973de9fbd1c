// Lanes (lanes.ts): a repeated decision must be the decision decide() would make, counted as it counts.
// Two samplers see the same lines; one decides every line in full, the other answers a line from its
// lane whenever it holds one for that text, as a level method does. Their decisions, measure choices and
// stats must be the same.
import { describe, expect, it } from 'vitest'
import { createSampler } from './sampler.js'
import { type Policy, type PolicyInput, parsePolicy } from './schema.js'
import { computeSignature } from './signature.js'
import { createStatsTable } from './stats-table.js'
import type { Decision, Lane, Sampler, StatsSnapshot } from './types.js'

function policy(input: Partial<PolicyInput>): Policy {
  const r = parsePolicy({ service: 'lanes', version: 1, ...input })
  if (!r.ok) throw r.error
  return r.value
}

const KEPT = 'order 1 placed'
const MUTED = 'cache miss for key 7'
const SAMPLED = 'poll tick 3'
const CAPPED = 'retrying job 9'
const EXPIRING = 'slow query 12 ms'
const sig = (text: string) => computeSignature(text).signature

const POLICY = policy({
  defaults: { newPattern: { rate: 1 }, floorPerMinute: 2 },
  rules: [
    { signature: sig(MUTED), rate: 0 },
    { signature: sig(SAMPLED), rate: 0.3 },
    { signature: sig(CAPPED), rate: 1, maxPerSecond: 5 },
    { signature: sig(EXPIRING), rate: 1, expiresAt: new Date(Date.UTC(2099, 0, 1)).toISOString() },
  ],
})

/**
 * A caller that answers a (level, text) from the lane its last decision of them carried, like a level
 * method (one per level) does for its last message.
 */
function withLanes(sampler: Sampler) {
  const lanes = new Map<string, Lane>()
  let fromLane = 0
  return {
    decide(level: string, text: string): Decision {
      const key = `${level} ${text}`
      const held = lanes.get(key)
      const again = held === undefined ? undefined : sampler.again(held)
      if (again !== undefined) {
        fromLane++
        return again
      }
      const d = sampler.decide(level, text)
      if (d.lane === undefined) lanes.delete(key)
      else lanes.set(key, d.lane)
      return d
    },
    fromLane: () => fromLane,
  }
}

/** What a decision says, copied out of the reused object. */
const said = (d: Decision) => ({
  keep: d.keep,
  signature: d.signature,
  level: d.level,
  rate: d.rate,
  sampleRate: d.sampleRate,
  reason: d.reason,
  measure: d.measure,
})

/** Rows in one order, sizes to a thousandth of a byte: a lane adds n estimated sizes as one product. */
const rowsOf = (snap: StatsSnapshot) =>
  [...snap.rows]
    .sort((a, b) => `${a.signature}${a.level}`.localeCompare(`${b.signature}${b.level}`))
    .map((r) => ({
      ...r,
      bytes: milli(r.bytes),
      keptBytes: milli(r.keptBytes),
      plainBytes: milli(r.plainBytes),
    }))
const milli = (n: number) => Math.round(n * 1000) / 1000

/** Two samplers with one random stream each (the same numbers) and one clock. */
function pair(capacity = 2000) {
  let t = Date.UTC(2026, 0, 1)
  const now = () => t
  const random = (seed: number) => () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0
    return seed / 2 ** 32
  }
  const full = createSampler({
    policy: POLICY,
    now,
    random: random(7),
    stats: createStatsTable({ capacity, now }),
  })
  const laned = createSampler({
    policy: POLICY,
    now,
    random: random(7),
    stats: createStatsTable({ capacity, now }),
  })
  return { full, laned, tick: (ms: number) => (t += ms) }
}

describe('lanes', () => {
  it('repeat decide(): the same decisions, measure choices and stats, through policies, sizes and windows', () => {
    const { full, laned, tick } = pair()
    const caller = withLanes(laned)
    const texts = [KEPT, MUTED, SAMPLED, CAPPED, EXPIRING]
    const snaps: Array<[StatsSnapshot, StatsSnapshot]> = []
    for (let i = 0; i < 6000; i++) {
      // Runs of one text, then another: a level method sees bursts of one statement.
      const text = texts[Math.floor(i / 37) % texts.length] as string
      const level = i % 500 < 480 ? 'info' : 'error'
      const a = said(full.decide(level, text))
      const b = said(caller.decide(level, text))
      expect(b).toEqual(a)
      // Both loggers measure the lines they were asked to, at a size that drifts.
      if (a.measure) {
        full.measured(120 + (i % 13), 100)
        laned.measured(120 + (i % 13), 100)
      }
      if (i % 5 === 0) tick(7)
      if (i === 2500) {
        const next = { ...POLICY, version: 2, rules: POLICY.rules.slice(1) }
        full.setPolicy(next)
        laned.setPolicy(next)
      }
      if (i % 1700 === 1699) snaps.push([full.stats.snapshot(), laned.stats.snapshot()])
    }
    snaps.push([full.stats.snapshot(), laned.stats.snapshot()])
    for (const [a, b] of snaps) {
      expect(rowsOf(b)).toEqual(rowsOf(a))
      expect(b.overflow).toEqual(a.overflow)
    }
    // The lanes did answer most lines (the kept-whole and muted patterns' repeats).
    expect(caller.fromLane()).toBeGreaterThan(2000)
  })

  it('are offered only where the answer does not depend on a draw, a clock or a count', () => {
    const s = createSampler({ policy: POLICY })
    const laneAfter = (text: string, lines = 600) => {
      let d: Decision | undefined
      for (let i = 0; i < lines; i++) {
        d = s.decide('info', text)
        if (d.measure) s.measured(100)
      }
      return d?.lane
    }
    expect(laneAfter(MUTED)).toBeDefined()
    expect(laneAfter(KEPT)).toBeDefined()
    expect(laneAfter(SAMPLED)).toBeUndefined()
    expect(laneAfter(CAPPED)).toBeUndefined()
    expect(laneAfter(EXPIRING)).toBeUndefined()
    // A floor line of a sampled pattern is kept at rate 1, and still gets no lane (past the sampler's
    // first measured lines, and with its size settled).
    let t = Date.UTC(2026, 0, 1)
    const fresh = createSampler({ policy: POLICY, now: () => t, random: () => 0.99 })
    for (let i = 0; i < 300; i++) if (fresh.decide('info', KEPT).measure) fresh.measured(100)
    for (let minute = 0; minute < 10; minute++, t += 60_000)
      if (fresh.decide('info', SAMPLED).measure) fresh.measured(100)
    const floor = fresh.decide('info', SAMPLED)
    expect(floor.reason).toBe('floor')
    expect(floor.lane).toBeUndefined()
  })

  it('close on a new policy, a measured size and a snapshot, with their lines counted', () => {
    const s = createSampler({ policy: POLICY })
    let d = s.decide('info', MUTED)
    const lane = d.lane as Lane
    for (let i = 0; i < 10; i++) expect(s.again(lane)?.keep).toBe(false)
    let row = s.stats.snapshot().rows.find((r) => r.signature === sig(MUTED))
    expect(row?.seen).toBe(11)
    expect(s.again(lane)).toBeUndefined()
    d = s.decide('info', MUTED)
    expect(s.again(d.lane as Lane)).toBeDefined()
    s.setPolicy({ ...POLICY, version: 2, rules: [] })
    expect(s.again(d.lane as Lane)).toBeUndefined()
    // Muted no more: the next line is kept.
    expect(s.decide('info', MUTED).keep).toBe(true)
    row = s.stats.snapshot().rows.find((r) => r.signature === sig(MUTED))
    expect(row).toMatchObject({ seen: 3, kept: 1 })
  })

  it('keep the table exact when a full table evicts rows whose lines a lane holds', () => {
    const { full, laned } = pair(3)
    const caller = withLanes(laned)
    for (let i = 0; i < 3000; i++) {
      // One heavy muted pattern, and a stream of one-off messages that push the table to evict.
      const text =
        i % 10 === 9 ? `event ${i} ${'x'.repeat(i % 7)} ${String.fromCharCode(97 + (i % 26))}q${i}` : MUTED
      expect(said(caller.decide('info', text))).toEqual(said(full.decide('info', text)))
    }
    const a = full.stats.snapshot()
    const b = laned.stats.snapshot()
    expect(rowsOf(b)).toEqual(rowsOf(a))
    expect(b.overflow).toEqual(a.overflow)
    // The heavy pattern holds its row: its lane's lines counted before any eviction chose a minimum.
    expect(b.rows.find((r) => r.signature === sig(MUTED))?.seen).toBe(2700)
  })
})
