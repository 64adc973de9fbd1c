import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { hash64Hex } from './hash.js'
import {
  CACHE_GENERATION_SIZE,
  computeSignature,
  GenerationCache,
  MAX_FORMAT,
  MAX_SCAN,
  maskMessage,
  signatureCacheSize,
  templateSignature,
  toMessageText,
} from './signature.js'

const t = (message: unknown): string => computeSignature(message).template

describe('computeSignature masks variable tokens', () => {
  it.each([
    ['numbers', 'retry 3 of 5, offset -42, load 0.75', 'retry <*> of <*>, offset <*>, load <*>'],
    ['hex', 'register 0x7ffe3b2a and object deadbeefcafe', 'register <*> and object <*>'],
    ['uuid', 'request 550e8400-e29b-41d4-a716-446655440000 done', 'request <*> done'],
    ['ipv4 and port', 'from 10.0.0.1:8080 to 192.168.1.2', 'from <*> to <*>'],
    ['ipv6', 'bound [2001:db8::1]:443 and fe80::1%eth0 and ::1', 'bound [<*>] and <*> and <*>'],
    ['host:port', 'proxy proxy.example.com:5070 and localhost:6379', 'proxy <*> and <*>'],
    ['host names', 'resolved ns.example.org and proxy.cse.cuhk.edu.hk', 'resolved <*> and <*>'],
    [
      'dotted constants kept',
      'via org.apache.Foo set mapred.task.id',
      'via org.apache.Foo set mapred.task.id',
    ],
    ['email', 'mail to alice@example.com.', 'mail to <*>'],
    ['url', 'GET https://api.example.com/v1/x?id=7 failed', 'GET <*> failed'],
    ['paths are values', 'open /var/data/part-00042/x failed', 'open <*> failed'],
    ['paths whose middle segments vary', 'read /user/root/randtxt/_tmp/a.', 'read <*>.'],
    ['windows paths', 'Mapping C:\\Windows\\WinSxS\\x.dll', 'Mapping C:<*>'],
    ['relative paths of 3+ segments', 'load src/lib/util.ts and I/O', 'load <*> and I/O'],
    ['compound id joined with ~', 'pkg Package_for_Fix~31bf3856ad364e35~amd64~~6.1.1.1 ok', 'pkg <*> ok'],
    ['iso timestamp', 'at 2024-03-05T12:34:56.789Z ran', 'at <*> ran'],
    ['syslog date', 'at Fri Jul 1 09:24:07 2005 from host', 'at <*> from host'],
    [
      'durations and sizes',
      'took 12ms then 3.5s, wrote 10KB and 10 KB',
      'took <*> then <*>, wrote <*> and <*>',
    ],
    ['size with parenthetical', '451 bytes (0.4 KB) sent', '<*> sent'],
    ['comparison prefix', 'lifetime <1 sec', 'lifetime <*>'],
    ['quotes are punctuation', `node '/dev/sda1' and "abc" and \`col\``, `node '<*>' and "abc" and \`col\``],
    ['quoted text with spaces is scanned', 'said "hello 42 times"', 'said "hello <*> times"'],
    ['json', '{"user":"bob","id":42}', '{"user":"bob","id":<*>}'],
    [
      'key=value',
      'uid=0 tty=NODEVssh ruser= rhost=1.2.3.4 user=root',
      'uid=<*> tty=NODEVssh ruser= rhost=<*> user=<*>',
    ],
    ['constants after = kept', 'act=android.intent.action.SCREEN_ON', 'act=android.intent.action.SCREEN_ON'],
    [
      'value glued to its key',
      'ApplicableState: 112, CurrentState:0x0 done',
      'ApplicableState: <*>, CurrentState:<*> done',
    ],
    ['single-label host with port', 'wpad:80 error', '<*> error'],
    ['lone =', 'log source = /proc/kmsg started.', 'log source = <*> started.'],
    ['user keyword', 'Invalid user webmaster from 1.2.3.4', 'Invalid user <*> from <*>'],
    ['empty value', 'connection from 1.2.3.4 () at noon', 'connection from <*> at noon'],
    ['collapse', 'ids 1 2, 3/4 (5) done', 'ids <*> done'],
    ['kept closing bracket', 'node [3] [4] up', 'node [<*>] up'],
    ['whitespace and controls', '  a\t\tb\u0000c\n', 'a b c'],
  ])('%s', (_name, message, template) => {
    expect(t(message)).toBe(template)
  })

  it('keeps constant words, apostrophes, two-label names and month names without numbers', () => {
    expect(t("Couldn't load chrome.exe; May I help")).toBe("Couldn't load chrome.exe; May I help")
    expect(t('it may 5 fail on sun 3')).toBe('it may <*> fail on sun <*>')
    expect(t('size in KB unknown')).toBe('size in KB unknown')
    expect(t('called init() twice')).toBe('called init() twice')
  })

  it('gives equal signatures to lines of one log statement and different ones across statements', () => {
    const a = computeSignature('user 42 logged in from 10.0.0.1')
    const b = computeSignature('user 7 logged in from 192.168.3.4')
    const c = computeSignature('user 42 logged out from 10.0.0.1')
    expect(a.signature).toBe(b.signature)
    expect(a.signature).not.toBe(c.signature)
    expect(a.signature).toBe(hash64Hex(a.template))
  })

  it('scans only the first MAX_SCAN code units and marks the cut with a mask', () => {
    const head = 'word '.repeat(MAX_SCAN / 5)
    expect(t(`${head}tail one`)).toBe(t(`${head}tail two`))
    expect(t(`${head}xyz abc`).endsWith(' <*>')).toBe(true)
    expect(t('word '.repeat(10))).toBe('word word word word word word word word word word')
  })
})

describe('templateSignature', () => {
  it('uses the format string itself as the template, exactly', () => {
    const r = templateSignature('user %s logged in')
    expect(r).toEqual({ template: 'user %s logged in', signature: hash64Hex('user %s logged in') })
    expect(templateSignature('  two  spaces 42 ').template).toBe('  two  spaces 42 ')
  })

  it('returns the cached result for a repeated format', () => {
    expect(templateSignature('cached %d')).toBe(templateSignature('cached %d'))
  })

  it('hashes formats longer than MAX_CACHED_MESSAGE exactly but does not cache them', () => {
    const long = `${'format %s '.repeat(40)}end`
    const first = templateSignature(long)
    const second = templateSignature(long)
    expect(first).not.toBe(second)
    expect(first).toEqual(second)
    expect(first.template).toBe(long)
  })

  it('cuts huge formats to MAX_FORMAT code units', () => {
    expect(templateSignature('x'.repeat(MAX_FORMAT * 3)).template).toBe('x'.repeat(MAX_FORMAT))
  })
})

describe('any input', () => {
  const throwing = {
    get message(): string {
      throw new Error('boom')
    },
  }
  const circular: Record<string, unknown> = {}
  circular.self = circular
  const revoked = Proxy.revocable({}, {})
  revoked.revoke()

  it.each([
    ['undefined', undefined, 'undefined'],
    ['null', null, 'null'],
    ['number', 42, '<*>'],
    ['NaN', Number.NaN, 'NaN'],
    ['bigint', 10n, '<*>'],
    ['boolean', true, 'true'],
    ['symbol', Symbol('s'), 'Symbol(s)'],
    ['error', new Error('disk 3 full'), 'disk <*> full'],
    ['plain object', { a: 1 }, '[object Object]'],
    ['circular object', circular, '[object Object]'],
    ['throwing getter', throwing, '[object Unknown]'],
    ['function', () => 1, '[object Function]'],
    ['array', [1, 2], '[object Array]'],
    ['revoked proxy', revoked.proxy, '[object Unknown]'],
  ])('%s gives a value without throwing', (_name, value, template) => {
    const r = computeSignature(value)
    expect(r.template).toBe(template)
    expect(r.signature).toMatch(/^[0-9a-f]{16}$/)
    expect(templateSignature(value).signature).toMatch(/^[0-9a-f]{16}$/)
  })

  it('reads an error-like message property but never calls toString or toJSON', () => {
    const sneaky = { message: 'm 1', toString: () => 'other', toJSON: () => 'json' }
    expect(toMessageText(sneaky)).toBe('m 1')
    expect(toMessageText({ toString: () => 'x' })).toBe('[object Object]')
  })

  const unit = fc.oneof(
    fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
    fc.constantFrom(
      ' ',
      '"',
      "'",
      '`',
      '=',
      ':',
      '(',
      ')',
      '[',
      ']',
      '<*>',
      '1',
      'user ',
      'Jan ',
      ' KB',
      '@',
    ),
    fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)),
  )
  const messages = fc.string({ unit, maxLength: 400 })

  it('never throws, is deterministic, bounded and always 16 hex (fuzz)', { timeout: 30_000 }, () => {
    fc.assert(
      fc.property(messages, (m) => {
        const r = computeSignature(m)
        const again = maskMessage(m)
        return (
          r.template === again &&
          r.signature === hash64Hex(again) &&
          /^[0-9a-f]{16}$/.test(r.signature) &&
          r.template.length <= 3 * Math.min(m.length, MAX_SCAN) + 4
        )
      }),
      { numRuns: 2000 },
    )
  })

  it('ignores everything after the first MAX_SCAN code units', { timeout: 30_000 }, () => {
    fc.assert(
      fc.property(fc.string({ unit, minLength: MAX_SCAN, maxLength: MAX_SCAN }), messages, (head, tail) => {
        const cut = head.slice(0, MAX_SCAN)
        return t(`${cut}x${tail}`) === t(`${cut}${tail}y`)
      }),
      { numRuns: 100 },
    )
  })

  it('handles 1 MB strings of any shape', { timeout: 30_000 }, () => {
    fc.assert(
      fc.property(fc.string({ unit, minLength: 1, maxLength: 8 }), (piece) => {
        const big = piece.repeat(Math.ceil(1_048_576 / piece.length))
        const r = computeSignature(big)
        return r.template.length <= 3 * MAX_SCAN + 4 && /^[0-9a-f]{16}$/.test(r.signature)
      }),
      { numRuns: 30 },
    )
  })
})

describe('caches stay bounded', () => {
  it('GenerationCache keeps at most two generations and promotes old hits', () => {
    const c = new GenerationCache<number>(2)
    c.set('a', 1)
    c.set('b', 2)
    c.set('c', 3) // a, b become the old generation
    expect(c.get('a')).toBe(1) // promoted into the young one
    c.set('d', 4) // young (c, a) becomes old; b is dropped
    expect(c.get('b')).toBeUndefined()
    expect(c.get('a')).toBe(1)
    expect(c.count).toBeLessThanOrEqual(4)
  })

  it('shares one result between the messages of a pattern and the format string that is their template', () => {
    const a = computeSignature('order 1845 shipped to warehouse 12')
    const b = computeSignature('order 99 shipped to warehouse 7')
    expect(a.template).toBe('order <*> shipped to warehouse <*>')
    expect(b).toBe(a)
    expect(templateSignature('order <*> shipped to warehouse <*>')).toBe(a)
    // Same signature as without any cache.
    expect(a.signature).toBe(hash64Hex(a.template))
  })

  it('holds at most 2 × CACHE_GENERATION_SIZE entries after a flood of distinct messages', {
    timeout: 30_000,
  }, () => {
    for (let i = 0; i < 20_000; i++) {
      computeSignature(`flood message ${i} id-${i.toString(36)}`)
      templateSignature(`flood format %s ${i}`)
    }
    const size = signatureCacheSize()
    expect(size.messages).toBeLessThanOrEqual(2 * CACHE_GENERATION_SIZE)
    expect(size.formats).toBeLessThanOrEqual(2 * CACHE_GENERATION_SIZE)
  })
})
