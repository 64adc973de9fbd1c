// FNV-1a hashes over the UTF-8 bytes of a string, computed without BigInt or TextEncoder so that they are
// fast on the hot path and identical in every JavaScript engine (and easy to reproduce in other languages).
// Lone surrogates are encoded as U+FFFD (EF BF BD), exactly as TextEncoder does.

const FNV32_OFFSET = 0x811c9dc5
const FNV32_PRIME = 0x01000193
// FNV-1a 64 offset basis 0xcbf29ce484222325 as two 32-bit lanes.
const FNV64_OFFSET_HI = 0xcbf29ce4
const FNV64_OFFSET_LO = 0x84222325
const TWO_POW_32 = 4294967296

// UTF-8 bytes of the current code point (1–4); a module-level buffer so the loop allocates nothing.
const bytes = new Uint8Array(4)

/**
 * Writes the UTF-8 bytes of the code point at `text[i]` into `bytes`; returns the byte count, or 4 + n
 * when a surrogate pair was consumed (the caller then skips one more code unit). Lone surrogates are
 * encoded as U+FFFD.
 */
function encodeAt(text: string, i: number): number {
  let c = text.charCodeAt(i)
  if (c < 0x80) {
    bytes[0] = c
    return 1
  }
  if (c < 0x800) {
    bytes[0] = 0xc0 | (c >> 6)
    bytes[1] = 0x80 | (c & 0x3f)
    return 2
  }
  if (c >= 0xd800 && c <= 0xdfff) {
    const next = i + 1 < text.length ? text.charCodeAt(i + 1) : 0
    if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00)
      bytes[0] = 0xf0 | (c >> 18)
      bytes[1] = 0x80 | ((c >> 12) & 0x3f)
      bytes[2] = 0x80 | ((c >> 6) & 0x3f)
      bytes[3] = 0x80 | (c & 0x3f)
      return 8
    }
    c = 0xfffd // lone surrogate
  }
  bytes[0] = 0xe0 | (c >> 12)
  bytes[1] = 0x80 | ((c >> 6) & 0x3f)
  bytes[2] = 0x80 | (c & 0x3f)
  return 3
}

/**
 * FNV-1a 32 of the UTF-8 bytes of `text`, as an unsigned 32-bit integer (0 … 2^32 - 1).
 * @example hash32('a') // 0xe40c292c
 */
export function hash32(text: string): number {
  let h = FNV32_OFFSET
  const n = text.length
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x80) {
      h = Math.imul(h ^ c, FNV32_PRIME)
      continue
    }
    let count = encodeAt(text, i)
    if (count > 4) {
      count -= 4
      i++
    }
    for (let b = 0; b < count; b++) h = Math.imul(h ^ bytes[b]!, FNV32_PRIME)
  }
  return h >>> 0
}

// Two hex digits per byte from a table: measured faster than Number#toString(16) + padStart.
const HEX2: string[] = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'))
const hex8 = (x: number): string =>
  HEX2[x >>> 24]! + HEX2[(x >>> 16) & 255]! + HEX2[(x >>> 8) & 255]! + HEX2[x & 255]!

/**
 * FNV-1a 64 of the UTF-8 bytes of `text`, as 16 lowercase hex characters. This is the signature hash.
 *
 * The 64-bit state is kept in two local 32-bit lanes (locals, not module variables: V8 boxes numbers
 * above 2^30 stored outside a function, which would allocate on every byte). The prime is 2^40 + 0x1b3,
 * so h × prime = h × 0x1b3 + (h << 40): the low lane × 0x1b3 stays below 2^41 (exact in a double) and
 * its carry goes to the high lane; h << 40 only adds the low lane shifted left by 8 to the high lane.
 * @example hash64Hex('foobar') // '85944171f73967e8'
 */
export function hash64Hex(text: string): string {
  let hi = FNV64_OFFSET_HI
  let lo = FNV64_OFFSET_LO
  const n = text.length
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x80) {
      const l = (lo ^ c) >>> 0
      const t = l * 0x1b3
      lo = t >>> 0
      hi = (Math.imul(hi, 0x1b3) + ((t / TWO_POW_32) | 0) + (l << 8)) >>> 0
      continue
    }
    let count = encodeAt(text, i)
    if (count > 4) {
      count -= 4
      i++
    }
    for (let b = 0; b < count; b++) {
      const l = (lo ^ bytes[b]!) >>> 0
      const t = l * 0x1b3
      lo = t >>> 0
      hi = (Math.imul(hi, 0x1b3) + ((t / TWO_POW_32) | 0) + (l << 8)) >>> 0
    }
  }
  return hex8(hi) + hex8(lo)
}
