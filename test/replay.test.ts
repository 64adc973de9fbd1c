// eval:replay on a short run: Logsieve against uniform sampling at the same kept bytes, with a real
// policy server. Asserts the properties the evaluation exists to show.
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runReplay } from '../scripts/eval-replay.js'

const loghub = resolve(import.meta.dirname, '../../shared/data/loghub')

describe('eval:replay', () => {
  it('meets the targets on the volume mix: 90% cut, every warn+ line, every pattern each minute, counts', async () => {
    const rows = await runReplay(loghub, {
      instances: [1, 4],
      minutes: 12,
      linesPerSecond: 150,
      keepFraction: 0.1,
      intervalS: 30,
      seed: 7,
      mix: 'volume',
    })
    for (let i = 0; i < rows.length; i += 2) {
      const sieve = rows[i]!.metrics
      const uniform = rows[i + 1]!.metrics
      expect(sieve.bytesCut).toBeGreaterThan(0.88)
      expect(sieve.warnKept).toBe(1)
      // A pattern whose lines share a signature with another's can miss a minute; nearly none do.
      expect(sieve.coverage).toBeGreaterThan(0.97)
      expect(uniform.coverage).toBeLessThan(0.7)
      expect(sieve.countErrorMedian).toBeLessThanOrEqual(0.05)
      expect(Math.abs(sieve.keptBytesPerDay / sieve.budgetBytesPerDay - 1)).toBeLessThan(0.1)
      expect(sieve.newPatternRuledAfterS).toBeLessThanOrEqual(30)
    }
  }, 120_000)

  it('on the equal mix too: keeps every warn+ line, covers more patterns than uniform and holds the budget', async () => {
    const rows = await runReplay(loghub, {
      instances: [1, 4],
      minutes: 12,
      linesPerSecond: 150,
      keepFraction: 0.25,
      intervalS: 30,
      seed: 7,
      mix: 'equal',
    })
    expect(rows.map((r) => r.label)).toEqual([
      'Logsieve, 1 instance',
      'uniform, same bytes (1)',
      'Logsieve, 4 instances',
      'uniform, same bytes (4)',
    ])
    for (let i = 0; i < rows.length; i += 2) {
      const sieve = rows[i]!.metrics
      const uniform = rows[i + 1]!.metrics
      expect(sieve.warnKept).toBe(1)
      expect(uniform.warnKept).toBeLessThan(0.6)
      expect(sieve.coverage).toBeGreaterThan(uniform.coverage)
      expect(sieve.countErrorMedian).toBeLessThanOrEqual(uniform.countErrorMedian)
      expect(Math.abs(sieve.keptBytesPerDay / sieve.budgetBytesPerDay - 1)).toBeLessThan(0.15)
      expect(sieve.newPatternRuledAfterS).toBeLessThanOrEqual(30)
    }
  }, 120_000)
})
