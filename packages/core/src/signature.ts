// Message signatures (DESIGN §3, spec in docs/signature.md): the template of a log line and a 64-bit hash
// of it. Rendered messages are masked in one linear pass by a hand-written scanner (no regex, so no
// backtracking); format strings are their own template. A change here is a breaking change: update the
// spec and packages/core/test-vectors/signature.json together.

import { hash64Hex } from './hash.js'
import { maskMessageText } from './signature-scan.js'
import type { SignatureResult } from './types.js'

export { MASK, MAX_SCAN } from './signature-scan.js'
/** Format strings longer than this are cut to this many code units (bounded work and memory). */
export const MAX_FORMAT = 4096

/**
 * Two-generation map: a bounded cache that is cheaper than an LRU list. Lookups hit the young map, then
 * the old one (promoting the entry); when the young map fills up it becomes the old one and the previous
 * old one is dropped. At most 2 × `size` entries are alive.
 */
export class GenerationCache<V> {
  // Assigned in the constructor (no class-field initializers): smaller in the browser bundle.
  declare private young: Map<string, V>
  declare private old: Map<string, V>
  declare private readonly size: number
  constructor(size: number) {
    this.size = size
    this.young = new Map()
    this.old = new Map()
  }

  get(key: string): V | undefined {
    const v = this.young.get(key)
    if (v !== undefined) return v
    const o = this.old.get(key)
    if (o !== undefined) this.set(key, o)
    return o
  }

  set(key: string, value: V): void {
    if (this.young.size >= this.size) {
      this.old = this.young
      this.young = new Map()
    }
    this.young.set(key, value)
  }

  get count(): number {
    return this.young.size + this.old.size
  }

  clear(): void {
    this.young.clear()
    this.old.clear()
  }
}

/** Entries per generation of each cache (so at most twice this many are alive). */
export const CACHE_GENERATION_SIZE = 1024
/**
 * Messages and format strings longer than this are not cached, which bounds each cache to about
 * 2 × 1024 × (key + template) ≤ 2 × 1024 × 2 KB in the worst case (two-byte strings).
 */
export const MAX_CACHED_MESSAGE = 256

// Copy a string before caching it: a short slice of a huge string (a line split from a file) would
// otherwise keep all of that string alive.
export const ownKey = (text: string): string => (text.length < 13 ? text : ` ${text}`.slice(1))

/**
 * Template → its result. A format string is its own template; distinct messages of one pattern share
 * theirs, so a message that misses the message cache still skips hashing its template (about a sixth of
 * the cost of a new message) and shares one result object with the rest of its pattern.
 */
const templateCache = new GenerationCache<SignatureResult>(CACHE_GENERATION_SIZE)
const messageCache = new GenerationCache<SignatureResult>(CACHE_GENERATION_SIZE)

/**
 * Safe string form of anything a caller may log: strings as they are, primitives via String(), an Error
 * (or any object with a string `message`) via its message, other objects as `[object Tag]`. Never calls
 * user code that could throw or run long (no toString, no JSON.stringify); never throws.
 */
export function toMessageText(value: unknown): string {
  if (typeof value === 'string') return value
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) {
    try {
      return String(value)
    } catch {
      return ''
    }
  }
  try {
    const message = (value as { message?: unknown }).message
    if (typeof message === 'string') return message
    return Object.prototype.toString.call(value)
  } catch {
    return '[object Unknown]'
  }
}

function result(template: string): SignatureResult {
  return Object.freeze({ signature: hash64Hex(template), template })
}

/** The result of a template (at most MAX_FORMAT long), from the template cache when it can be held. */
function templateResult(template: string): SignatureResult {
  // Results hold their own copy: a template may be a slice of a larger string (a format string, or a
  // message), and the result may be held by a cache.
  if (template.length > MAX_CACHED_MESSAGE) return result(ownKey(template))
  const hit = templateCache.get(template)
  if (hit !== undefined) return hit
  const key = ownKey(template)
  const r = result(key)
  templateCache.set(key, r)
  return r
}

/**
 * Signature of a rendered message: variable tokens masked to `<*>` (see docs/signature.md), then hashed.
 * Never throws; non-strings are stringified with {@link toMessageText}.
 * @example computeSignature('user 42 logged in from 10.0.0.1') // template 'user <*> logged in from <*>'
 */
export function computeSignature(message: unknown): SignatureResult {
  const text = toMessageText(message)
  if (text.length > MAX_CACHED_MESSAGE) return result(maskMessageText(text))
  const hit = messageCache.get(text)
  if (hit !== undefined) return hit
  const r = templateResult(maskMessageText(text))
  messageCache.set(ownKey(text), r)
  return r
}

/** Entries alive in the two caches (each at most 2 × {@link CACHE_GENERATION_SIZE}). */
export function signatureCacheSize(): { formats: number; messages: number } {
  return { formats: templateCache.count, messages: messageCache.count }
}

/** The template `computeSignature` would give, without hashing or caching. */
export function maskMessage(message: unknown): string {
  return maskMessageText(toMessageText(message))
}

/**
 * Signature of a format string (`'user %s logged in'`): the template is the format string itself, exact
 * (cut to {@link MAX_FORMAT} code units). Cached. Never throws.
 * @example templateSignature('user %s logged in').template // 'user %s logged in'
 */
export function templateSignature(format: unknown): SignatureResult {
  const text = toMessageText(format)
  return templateResult(text.length > MAX_FORMAT ? text.slice(0, MAX_FORMAT) : text)
}
