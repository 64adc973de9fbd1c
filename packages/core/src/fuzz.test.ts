// Bad input never throws and never grows memory without bound (issue #2, "Bad input").
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { redactExample } from './redact.js'
import { createSampler } from './sampler.js'
import { type Policy, parsePolicy } from './schema.js'
import { createStatsTable, toStatsBatch } from './stats-table.js'
import type { Decision } from './types.js'

const anyString = fc.oneof(
  fc.string(),
  fc.array(fc.integer({ min: 0, max: 0xffff })).map((codes) => String.fromCharCode(...codes)), // lone surrogates
  fc.array(fc.integer({ min: 0, max: 0x1f })).map((codes) => String.fromCharCode(...codes)), // control chars
)
const anyLevel = fc.oneof(
  fc.double(), // NaN, ±Infinity, -0 included
  fc.integer(),
  fc.constantFrom('info', 'WARN', 'silly', 'fatal', '', 'nope'),
  fc.anything(),
)
const anyText = fc.oneof(
  anyString,
  fc.anything(),
  fc.constant(Symbol('s')),
  fc.constant(undefined),
  fc.constant(() => 1),
)
const anyOptions = fc.option(
  fc.record(
    {
      isFormat: fc.boolean(),
      traceId: fc.oneof(anyString, fc.stringMatching(/^[0-9a-f]{32}$/)),
      bytes: fc.double(),
    },
    { requiredKeys: [] },
  ),
  { nil: undefined },
)

const sampledPolicy: Policy = (() => {
  const r = parsePolicy({
    service: 'fuzz',
    version: 1,
    defaults: { levels: { info: 0.5, debug: 0.125 }, newPattern: { rate: 0.25, maxPerSecond: 5 } },
  })
  if (!r.ok) throw r.error
  return r.value
})()

function expectValid(d: Decision) {
  expect(typeof d.keep).toBe('boolean')
  expect(d.signature).toMatch(/^[0-9a-f]{16}$/)
  expect(typeof d.template).toBe('string')
  expect(d.rate).toBeGreaterThanOrEqual(0)
  expect(d.rate).toBeLessThanOrEqual(1)
  expect(d.sampleRate).toBeGreaterThanOrEqual(1)
  expect(Number.isFinite(d.sampleRate)).toBe(true)
  expect(d.severity).toBeGreaterThanOrEqual(1)
}

describe('decide() on any input', () => {
  it('returns a valid decision and never throws', () => {
    const failures: unknown[] = []
    const sampler = createSampler({ policy: sampledPolicy, onError: (e) => failures.push(e) })
    fc.assert(
      fc.property(anyLevel, anyText, anyOptions, (level, text, options) => {
        expectValid(sampler.decide(level, text, options))
      }),
      { numRuns: 2000 },
    )
    expect(failures).toEqual([]) // decided on the real path, not by the fail-open fallback
  }, 30_000)

  it('handles 1 MB strings, circular objects and throwing getters', () => {
    const failures: unknown[] = []
    const sampler = createSampler({ policy: sampledPolicy, onError: (e) => failures.push(e) })
    const circular: Record<string, unknown> = { a: 1 }
    circular.self = circular
    const hostile = {
      get message(): string {
        throw new Error('gotcha')
      },
    }
    const inputs: unknown[] = [
      'x'.repeat(1 << 20),
      `${'\ud800'.repeat(1000)}1234`,
      circular,
      hostile,
      Object.create(null),
      10n,
      new Error('boom 42'),
    ]
    for (const text of inputs) {
      expectValid(sampler.decide(30, text))
      expectValid(sampler.decide(30, text, { isFormat: true }))
      expect(typeof redactExample(text)).toBe('string')
    }
    expect(failures).toEqual([])
    const batch = toStatsBatch(sampler.stats.snapshot(), {
      sdk: { name: 'fuzz', version: '0' },
      service: 'fuzz',
      environment: 'test',
    })
    expect(batch.patterns.every((p) => p.template.length <= 1024)).toBe(true)
  })
})

describe('bounded memory', () => {
  it('the stats table stays at capacity under 1M distinct signatures and conserves totals', () => {
    const table = createStatsTable({ capacity: 2000 })
    for (let i = 0; i < 1_000_000; i++) {
      table.count(i.toString(16).padStart(16, '0'), i % 3 === 0 ? 'debug' : 'info', 't', i % 7 === 0, 100)
    }
    expect(table.size).toBe(2000)
    const snap = table.snapshot()
    expect(snap.rows).toHaveLength(2000)
    expect(snap.rows.reduce((s, r) => s + r.seen, 0) + snap.overflow.seen).toBe(1_000_000)
  }, 30_000) // a million lines take ~2 s alone; the generous limit is for a loaded CI machine

  it('a sampler flooded with distinct messages keeps its table bounded', () => {
    const sampler = createSampler({ policy: sampledPolicy, stats: createStatsTable({ capacity: 500 }) })
    const letters = 'abcdefghijklmnopqrstuvwxyz'
    for (let i = 0; i < 50_000; i++) {
      let word = ''
      for (let n = i; word.length < 5; n = Math.floor(n / 26)) word += letters[n % 26]
      sampler.decide('info', `event ${word} happened`)
    }
    expect(sampler.stats.size).toBe(500)
  }, 30_000)
})
