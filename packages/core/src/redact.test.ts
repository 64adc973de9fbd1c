import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isSensitiveKey, luhnValid, redactExample } from './redact.js'
import { MAX_EXAMPLE_LENGTH } from './schema.js'

describe('redactExample on strings', () => {
  it('masks values of secret keys in key=value, key: value and JSON forms', () => {
    expect(redactExample('login ok password=hunter2 user=bob')).toBe('login ok password=[REDACTED] user=bob')
    expect(redactExample('api_key: abc123 retry=3')).toBe('api_key: [REDACTED] retry=3')
    expect(redactExample('{"token":"s3cr3t","n":1}')).toBe('{"token":"[REDACTED]","n":1}')
    expect(redactExample("set-cookie='sid=9f8e'")).toBe("set-cookie='[REDACTED]'")
    expect(redactExample('X-Api-Key=k1 sessionId=42')).toBe('X-Api-Key=[REDACTED] sessionId=[REDACTED]')
  })

  it('masks bearer tokens, JWTs and emails', () => {
    expect(redactExample('auth with Bearer abc.def-ghi')).toBe('auth with Bearer [REDACTED]')
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U'
    expect(redactExample(`got ${jwt} from client`)).toBe('got [REDACTED] from client')
    expect(redactExample('mail sent to jane.doe+x@example.co.uk today')).toBe('mail sent to [REDACTED] today')
  })

  it('masks Luhn-valid card numbers and leaves other long numbers', () => {
    expect(redactExample('card 4111 1111 1111 1111 charged')).toBe('card [REDACTED] charged')
    expect(redactExample('card 4111-1111-1111-1111')).toBe('card [REDACTED]')
    expect(redactExample('order 4111111111111112 placed')).toBe('order 4111111111111112 placed')
    expect(redactExample('ts 1732450000000 ok')).toBe('ts 1732450000000 ok')
  })

  it('leaves ordinary text alone', () => {
    expect(redactExample('user 42 logged in from 10.0.0.1')).toBe('user 42 logged in from 10.0.0.1')
  })

  it('truncates to MAX_EXAMPLE_LENGTH without splitting a surrogate pair', () => {
    const long = '😀'.repeat(MAX_EXAMPLE_LENGTH)
    const out = redactExample(long)
    expect(out.length).toBeLessThanOrEqual(MAX_EXAMPLE_LENGTH)
    expect(out.endsWith('…')).toBe(true)
    expect(/[\ud800-\udbff]$/.test(out.slice(0, -1))).toBe(false)
  })
})

describe('redactExample on objects', () => {
  it('masks sensitive keys at any depth and serializes the rest', () => {
    const out = redactExample({
      msg: 'login',
      user: { email: 'a@b.io', password: 'x' },
      headers: { Authorization: 'Bearer t' },
    })
    expect(JSON.parse(out)).toEqual({
      msg: 'login',
      user: { email: '[REDACTED]', password: '[REDACTED]' },
      headers: { Authorization: '[REDACTED]' },
    })
  })

  it('is safe on circular objects, errors, dates, bigints and throwing getters', () => {
    const a: Record<string, unknown> = { name: 'a' }
    a.self = a
    const tricky = {
      a,
      err: new Error('bad token=abc'),
      at: new Date(0),
      big: 10n,
      get boom() {
        throw new Error('no')
      },
      fn: () => 1,
    }
    const parsed = JSON.parse(redactExample(tricky))
    expect(parsed.a.self).toBe('[Circular]')
    expect(parsed.err).toEqual({ name: 'Error', message: 'bad token=[REDACTED]' })
    expect(parsed.at).toBe('1970-01-01T00:00:00.000Z')
    expect(parsed.big).toBe('10')
    expect('boom' in parsed).toBe(false)
  })

  it('returns a string for any input and never exceeds the limit', () => {
    fc.assert(
      fc.property(fc.anything(), (v) => {
        const out = redactExample(v)
        expect(typeof out).toBe('string')
        expect(out.length).toBeLessThanOrEqual(MAX_EXAMPLE_LENGTH)
      }),
    )
  })
})

describe('helpers', () => {
  it('isSensitiveKey', () => {
    for (const k of [
      'password',
      'db_password',
      'PASSWD',
      'access_token',
      'client-secret',
      'Authorization',
      'apiKey',
      'api_key',
      'Cookie',
      'set-cookie',
      'session',
    ]) {
      expect(isSensitiveKey(k)).toBe(true)
    }
    for (const k of ['user', 'msg', 'level', 'status']) expect(isSensitiveKey(k)).toBe(false)
  })

  it('luhnValid', () => {
    expect(luhnValid('4111111111111111')).toBe(true)
    expect(luhnValid('5500000000000004')).toBe(true)
    expect(luhnValid('4111111111111112')).toBe(false)
  })
})
