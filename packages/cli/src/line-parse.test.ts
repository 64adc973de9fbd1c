import { describe, expect, it } from 'vitest'
import { parseLine } from './line-parse.js'

describe('parseLine', () => {
  it('reads pino lines: numeric level, epoch ms time, msg', () => {
    const line = JSON.stringify({ level: 40, time: 1_700_000_000_000, pid: 1, msg: 'disk 91% full' })
    expect(parseLine(line)).toEqual({
      message: 'disk 91% full',
      level: 'warn',
      time: 1_700_000_000_000,
      json: true,
    })
  })

  it('reads winston lines: level name, ISO timestamp, message', () => {
    const line = JSON.stringify({
      level: 'error',
      message: 'payment failed',
      timestamp: '2024-05-01T12:00:00.000Z',
    })
    expect(parseLine(line)).toEqual({
      message: 'payment failed',
      level: 'error',
      time: Date.parse('2024-05-01T12:00:00.000Z'),
      json: true,
    })
  })

  it('takes the error message when a pino line has no msg', () => {
    const line = JSON.stringify({ level: 50, err: { message: 'boom', stack: '...' } })
    expect(parseLine(line)).toMatchObject({ message: 'boom', level: 'error' })
  })

  it('reads epoch seconds as seconds', () => {
    expect(parseLine('{"ts": 1700000000.5, "msg": "x"}').time).toBe(1_700_000_000_500)
  })

  it('reads text lines: leading timestamp and level word, message after it', () => {
    expect(parseLine('2024-05-01 12:00:00,123 WARN [main] disk almost full')).toEqual({
      message: '[main] disk almost full',
      level: 'warn',
      time: Date.parse('2024-05-01T12:00:00.123'),
      json: false,
    })
    expect(parseLine('[ERROR] connection reset').level).toBe('error')
    expect(parseLine('SEVERE: out of memory').level).toBe('error')
  })

  it('falls back to text for broken JSON and for text without a level', () => {
    expect(parseLine('{"level":30,"msg":"cut sho')).toMatchObject({
      json: false,
      level: 'info',
      message: '{"level":30,"msg":"cut sho',
    })
    expect(parseLine('just words')).toEqual({
      message: 'just words',
      level: 'info',
      time: undefined,
      json: false,
    })
  })

  it('reads JSON after leading whitespace or a byte-order mark', () => {
    expect(parseLine('\uFEFF{"level":40,"msg":"first line"}')).toMatchObject({
      json: true,
      level: 'warn',
      message: 'first line',
    })
    expect(parseLine('  {"msg":"indented"}')).toMatchObject({ json: true, message: 'indented' })
  })

  it('does not try JSON when told the format is text', () => {
    expect(parseLine('{"msg":"x"}', 'text').json).toBe(false)
  })

  it('does not take a level word from deep inside the message', () => {
    const line = `user ${'a'.repeat(100)} saw an ERROR page`
    expect(parseLine(line).level).toBe('info')
  })
})
