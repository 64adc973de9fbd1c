import { describe, expect, it } from 'vitest'
import { levelName, normalizeLevel, toSeverityNumber } from './severity.js'

describe('severity', () => {
  it('maps pino numeric levels onto OpenTelemetry severity numbers', () => {
    expect([10, 20, 30, 40, 50, 60, 35, 5, 70].map(toSeverityNumber)).toEqual([1, 5, 9, 13, 17, 21, 9, 1, 21])
  })

  it('maps winston npm and syslog names', () => {
    expect(['silly', 'verbose', 'http', 'info', 'warn', 'error'].map(normalizeLevel)).toEqual([
      'trace',
      'debug',
      'info',
      'info',
      'warn',
      'error',
    ])
    expect(['crit', 'emerg', 'WARNING', 'notice'].map(normalizeLevel)).toEqual([
      'fatal',
      'fatal',
      'warn',
      'info',
    ])
  })

  it('returns INFO for anything unknown, never throws', () => {
    for (const v of [Number.NaN, Number.POSITIVE_INFINITY, undefined, null, {}, 'nope', Symbol('x')]) {
      expect(toSeverityNumber(v)).toBe(9)
    }
    expect(levelName(Number.NaN)).toBe('trace')
  })
})
