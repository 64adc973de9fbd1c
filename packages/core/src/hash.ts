// FNV-1a hashes over the UTF-8 bytes of a string, computed without BigInt or TextEncoder so that they are
// fast on the hot path and identical in every JavaScript engine (and easy to reproduce in other languages).
// Lone surrogates are encoded as U+FFFD (EF BF BD), exactly as TextEncoder does.

const FNV32_OFFSET = 0x811c9dc5
const FNV32_PRIME = 0x01000193
// FNV-1a 64 offset basis 0xcbf29ce484222325 as two 32-bit lanes.
const FNV64_OFFSET_HI = 0xcbf29ce4
const FNV64_OFFSET_LO = 0x84222325
const TWO_POW_32 = 4294967296

let hi = 0
let lo = 0

/**
 * One FNV-1a 64 step on the module-level (hi, lo) state. The 64-bit prime is 2^40 + 0x1b3, so
 * h * prime = h * 0x1b3 + (h << 40): the low lane times 0x1b3 stays below 2^41 (exact in a double) and
 * its carry goes into the high lane, and h << 40 only adds the low lane shifted by 8 to the high lane.
 */
function step64(byte: number): void {
  const l = (lo ^ byte) >>> 0
  const t = l * 0x1b3
  lo = t >>> 0
  hi = (Math.imul(hi, 0x1b3) + Math.floor(t / TWO_POW_32) + (l << 8)) >>> 0
}

/** Feeds the UTF-8 bytes of `text` to `step`; module-level state avoids a closure per call. */
function utf8Bytes(text: string, step: (byte: number) => void): void {
  const n = text.length
  for (let i = 0; i < n; i++) {
    let c = text.charCodeAt(i)
    if (c < 0x80) {
      step(c)
      continue
    }
    if (c < 0x800) {
      step(0xc0 | (c >> 6))
      step(0x80 | (c & 0x3f))
      continue
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = i + 1 < n ? text.charCodeAt(i + 1) : 0
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00)
        i++
        step(0xf0 | (c >> 18))
        step(0x80 | ((c >> 12) & 0x3f))
        step(0x80 | ((c >> 6) & 0x3f))
        step(0x80 | (c & 0x3f))
        continue
      }
      c = 0xfffd // lone surrogate
    }
    step(0xe0 | (c >> 12))
    step(0x80 | ((c >> 6) & 0x3f))
    step(0x80 | (c & 0x3f))
  }
}

let h32 = 0
function step32(byte: number): void {
  h32 = Math.imul(h32 ^ byte, FNV32_PRIME)
}

/**
 * FNV-1a 32 of the UTF-8 bytes of `text`, as an unsigned 32-bit integer (0 … 2^32 - 1).
 * @example hash32('a') // 0xe40c292c
 */
export function hash32(text: string): number {
  h32 = FNV32_OFFSET
  utf8Bytes(text, step32)
  return h32 >>> 0
}

const HEX = '0123456789abcdef'
function hex8(x: number): string {
  let s = ''
  for (let shift = 28; shift >= 0; shift -= 4) s += HEX[(x >>> shift) & 15]
  return s
}

/**
 * FNV-1a 64 of the UTF-8 bytes of `text`, as 16 lowercase hex characters. This is the signature hash.
 * @example hash64Hex('foobar') // '85944171f73967e8'
 */
export function hash64Hex(text: string): string {
  hi = FNV64_OFFSET_HI
  lo = FNV64_OFFSET_LO
  const n = text.length
  // ASCII fast path inlined (most templates are ASCII); the first non-ASCII char hands over to utf8Bytes.
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i)
    if (c >= 0x80) {
      utf8Bytes(i === 0 ? text : text.slice(i), step64)
      break
    }
    const l = (lo ^ c) >>> 0
    const t = l * 0x1b3
    lo = t >>> 0
    hi = (Math.imul(hi, 0x1b3) + Math.floor(t / TWO_POW_32) + (l << 8)) >>> 0
  }
  return hex8(hi) + hex8(lo)
}
