import { describe, expect, it } from 'vitest'
import { CliError } from './errors.js'
import { formatBytes, formatRate, parseBudget, parseBytes, parseBytesPerDay, parseDuration } from './units.js'

describe('parseBytes', () => {
  it('reads decimal and binary units, case-insensitively', () => {
    expect(parseBytes('5GB')).toBe(5e9)
    expect(parseBytes('1.5 mb')).toBe(1.5e6)
    expect(parseBytes('2GiB')).toBe(2 * 1024 ** 3)
    expect(parseBytes('512')).toBe(512)
  })
  it('rejects what it cannot read, as a usage error', () => {
    expect(() => parseBytes('5 parsecs')).toThrow(CliError)
    expect(() => parseBytes('')).toThrow(/cannot read/)
  })
})

describe('parseBudget', () => {
  it('reads bytes per period, normalized to per day', () => {
    expect(parseBudget('5GB/day')).toEqual({ bytesPerDay: 5e9 })
    expect(parseBudget('1GB/h')).toEqual({ bytesPerDay: 24e9 })
    expect(parseBudget('10GB')).toEqual({ bytesPerDay: 10e9 })
  })
  it('reads a percentage as a reduction', () => {
    expect(parseBudget('90%')).toEqual({ reduction: 0.9 })
    expect(() => parseBudget('100%')).toThrow(/below 100%/)
  })
  it('reads events per period', () => {
    expect(parseBudget('200/s')).toEqual({ eventsPerSecond: 200 })
    expect(parseBudget('60 events/min')).toEqual({ eventsPerSecond: 1 })
  })
  it('rejects zero and nonsense', () => {
    expect(() => parseBudget('0GB/day')).toThrow(/above zero/)
    expect(() => parseBudget('lots/day')).toThrow(/cannot read/)
    expect(() => parseBudget('5GB/fortnight')).toThrow(/duration/)
  })
  it('parseBytesPerDay refuses budgets that are not volumes', () => {
    expect(parseBytesPerDay('10GB/day')).toBe(10e9)
    expect(() => parseBytesPerDay('90%')).toThrow(/volume per period/)
  })
})

describe('parseDuration', () => {
  it('reads common units', () => {
    expect(parseDuration('30s')).toBe(30)
    expect(parseDuration('2h')).toBe(7200)
    expect(parseDuration('day')).toBe(86_400)
    expect(parseDuration('15 minutes')).toBe(900)
  })
})

describe('formatting', () => {
  it('formats bytes and rates for people', () => {
    expect(formatBytes(0)).toBe('0 B')
    expect(formatBytes(1_234_567)).toBe('1.23 MB')
    expect(formatBytes(5.1e10)).toBe('51.0 GB')
    expect(formatRate(0.0625)).toBe('1/16')
    expect(formatRate(1)).toBe('1')
    expect(formatRate(0)).toBe('0')
  })
})
