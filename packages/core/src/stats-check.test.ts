import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseStatsBatch } from './schema.js'
import { checkStatsBatch } from './stats-check.js'

const now = '2026-01-05T10:00:00.000Z'
/** Mostly valid values, sometimes not: enough accepted batches to compare values, enough rejected ones. */
const mostly = <T, U>(valid: fc.Arbitrary<T>, invalid: fc.Arbitrary<U>) =>
  fc.oneof({ arbitrary: valid, weight: 12 }, { arbitrary: invalid, weight: 1 })

const pattern = fc.record(
  {
    signature: mostly(fc.stringMatching(/^[0-9a-f]{16}$/), fc.constantFrom('XYZ', '', 'ABCDEF0123456789')),
    level: mostly(fc.constantFrom('info', 'debug', 'error'), fc.constant('loud')),
    template: mostly(fc.string({ maxLength: 30 }), fc.constantFrom('x'.repeat(1025), 7)),
    seen: mostly(fc.nat(), fc.constantFrom(-1, 1.5, Number.NaN)),
    kept: fc.nat(),
    bytes: fc.oneof(
      fc.double({ min: 0, max: 1e9, noNaN: true }),
      fc.constantFrom(-3, Number.POSITIVE_INFINITY),
    ),
    keptBytes: mostly(fc.nat(), fc.constant(-1)),
    firstSeen: mostly(fc.constantFrom(now, '2026-01-04T09:00:00Z'), fc.constantFrom('yesterday', 5)),
    example: mostly(fc.string({ maxLength: 10 }), fc.constant(null)),
    extra: fc.constant('ignored'),
  },
  { requiredKeys: ['signature', 'level', 'template', 'seen', 'kept', 'bytes'] },
)
const batch = fc.record(
  {
    sdk: mostly(fc.constant({ name: '@logsieve/node', version: '0.1.0' }), fc.constant({ name: 'x' })),
    service: mostly(fc.constant('checkout'), fc.constantFrom('', 'bad name')),
    environment: fc.constantFrom('prod', 'eu/west-1'),
    instance: fc.constantFrom('host-1/42'),
    policyVersion: mostly(fc.constantFrom(3, null), fc.constant(-1)),
    window: mostly(fc.constant({ start: now, end: now }), fc.constant({ start: now })),
    patterns: fc.array(pattern, { maxLength: 5 }),
    overflow: mostly(
      fc.constant({ seen: 1, kept: 1, bytes: 10 }),
      fc.constant({ seen: -1, kept: 0, bytes: 0 }),
    ),
  },
  { requiredKeys: ['sdk', 'service', 'window', 'patterns'] },
)

describe('checkStatsBatch (the server-side fast check)', () => {
  it('accepts what parseStatsBatch accepts, with the same value, and rejects only what it rejects', () => {
    let accepted = 0
    fc.assert(
      fc.property(batch, (input) => {
        const strict = parseStatsBatch(input)
        const fast = checkStatsBatch(input)
        if (strict.ok) {
          accepted++
          expect(fast).toEqual(strict)
        }
        if (!fast.ok) expect(strict.ok).toBe(false)
      }),
      { numRuns: 2000 },
    )
    expect(accepted).toBeGreaterThan(200)
  })

  it('names the field, with the stats error code', () => {
    const r = checkStatsBatch({
      sdk: { name: 'x', version: '1' },
      service: 's',
      window: { start: now, end: now },
      patterns: [
        { signature: '0123456789abcdef', level: 'info', template: 't', seen: -1, kept: 0, bytes: 1 },
      ],
    })
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.error.code).toBe('LOGSIEVE_STATS_INVALID')
    expect(r.error.field).toBe('patterns[0].seen')
  })
})
