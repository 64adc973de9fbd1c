import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { hash32, hash64Hex } from './hash.js'

// Reference implementations straight from the FNV definition, with BigInt and TextEncoder (which also
// encodes lone surrogates as U+FFFD), to check the 32-bit-lane arithmetic of hash.ts.
const encoder = new TextEncoder()
function fnv1a64Reference(text: string): string {
  let h = 0xcbf29ce484222325n
  for (const byte of encoder.encode(text)) {
    h ^= BigInt(byte)
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn
  }
  return h.toString(16).padStart(16, '0')
}
function fnv1a32Reference(text: string): number {
  let h = 0x811c9dc5n
  for (const byte of encoder.encode(text)) {
    h ^= BigInt(byte)
    h = (h * 0x01000193n) & 0xffffffffn
  }
  return Number(h)
}

const anyUtf16 = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) })

describe('hash64Hex (FNV-1a 64 over UTF-8)', () => {
  it('matches the published FNV-1a 64 test values', () => {
    expect(hash64Hex('')).toBe('cbf29ce484222325')
    expect(hash64Hex('a')).toBe('af63dc4c8601ec8c')
    expect(hash64Hex('foobar')).toBe('85944171f73967e8')
  })

  it('encodes non-ASCII text as UTF-8 and lone surrogates as U+FFFD', () => {
    expect(hash64Hex('é€😀')).toBe(fnv1a64Reference('é€😀'))
    expect(hash64Hex('\ud800')).toBe(hash64Hex('\ufffd'))
    expect(hash64Hex('a\udc00b')).toBe(hash64Hex('a\ufffdb'))
    expect(hash64Hex('\udc00\ud800')).toBe(hash64Hex('\ufffd\ufffd'))
    expect(hash64Hex('x\ud83d')).toBe(hash64Hex('x\ufffd'))
  })

  // BigInt arithmetic is slow; the timeout leaves room for a loaded CI machine (nothing here is timed).
  it('agrees with the BigInt reference on any UTF-16 string', { timeout: 30_000 }, () => {
    fc.assert(
      fc.property(anyUtf16, (s) => hash64Hex(s) === fnv1a64Reference(s)),
      { numRuns: 200 },
    )
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => hash64Hex(s) === fnv1a64Reference(s)))
  })

  it('always gives 16 lowercase hex characters', () => {
    fc.assert(fc.property(anyUtf16, (s) => /^[0-9a-f]{16}$/.test(hash64Hex(s))))
  })
})

describe('hash32 (FNV-1a 32 over UTF-8)', () => {
  it('matches the published FNV-1a 32 test values', () => {
    expect(hash32('')).toBe(0x811c9dc5)
    expect(hash32('a')).toBe(0xe40c292c)
    expect(hash32('foobar')).toBe(0xbf9cf968)
  })

  it('agrees with the BigInt reference and stays an unsigned 32-bit integer', { timeout: 30_000 }, () => {
    fc.assert(
      fc.property(anyUtf16, (s) => {
        const h = hash32(s)
        return h === fnv1a32Reference(s) && Number.isInteger(h) && h >= 0 && h < 2 ** 32
      }),
      { numRuns: 300 },
    )
  })
})
