// The server's in-memory stats as columns: each pattern of a service gets a small integer id once, and
// counts live in typed arrays indexed by it. A million patterns are then a million key strings and a few
// arrays, not millions of objects for the garbage collector to trace (its pauses hold the event loop).
import type { LevelName } from '@logsieve/core'

const FIRST_CAPACITY = 64

const grown = <T extends Float64Array | Int32Array | Uint32Array | Uint16Array>(a: T, length: number): T => {
  if (a.length >= length) return a
  let n = a.length
  while (n < length) n *= 2
  const b = new (a.constructor as new (n: number) => T)(n)
  b.set(a)
  return b
}

/** Column numbers by name and the row width: fieldsOf('a', 'b') is { a: 0, b: 1, width: 2 }. */
export function fieldsOf<N extends string>(...names: N[]): Readonly<Record<N, number> & { width: number }> {
  const fields: Record<string, number> = { width: names.length }
  for (const [i, name] of names.entries()) fields[name] = i
  return Object.freeze(fields as Record<N, number> & { width: number })
}

/** FNV-1a over a string's UTF-16 code units. */
function hashOf(key: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193)
  return h | 0
}

/**
 * Pattern keys (patternKey(signature, level)) numbered 0, 1, 2… in the order they were added. The keys'
 * characters sit in one array and are found through an open-addressing table of ids, so a million keys
 * are a few arrays, not a million strings for every garbage collection to trace and move.
 */
export class PatternIndex {
  /** Every key's UTF-16 code units, one after another. */
  private chars = new Uint16Array(FIRST_CAPACITY * 32)
  /** Where key `id` starts in `chars`; it ends where `id + 1` starts. */
  private starts = new Uint32Array(FIRST_CAPACITY + 1)
  private hashes = new Int32Array(FIRST_CAPACITY)
  /** Open addressing, at most half full: id + 1 of the key in each slot, 0 for none. */
  private slots = new Int32Array(2 * FIRST_CAPACITY)
  size = 0

  /** The key of an id (a new string each call). */
  key(id: number): string {
    // Keys are short (a 16-digit signature and a level): one call spreads them whole.
    return String.fromCharCode.apply(
      null,
      this.chars.subarray(this.starts[id]!, this.starts[id + 1]!) as never,
    )
  }

  private same(id: number, key: string): boolean {
    const start = this.starts[id]!
    if (this.starts[id + 1]! - start !== key.length) return false
    for (let i = 0; i < key.length; i++) if (this.chars[start + i] !== key.charCodeAt(i)) return false
    return true
  }

  /** The slot of `key`: its own, or the empty one where it would go. */
  private slotOf(key: string, hash: number): number {
    const mask = this.slots.length - 1
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = this.slots[slot]!
      if (entry === 0 || (this.hashes[entry - 1] === hash && this.same(entry - 1, key))) return slot
    }
  }

  id(key: string): number | undefined {
    const entry = this.slots[this.slotOf(key, hashOf(key))]!
    return entry === 0 ? undefined : entry - 1
  }

  /** The key's id, given one if it has none yet. */
  intern(key: string): number {
    const hash = hashOf(key)
    let slot = this.slotOf(key, hash)
    if (this.slots[slot]! !== 0) return this.slots[slot]! - 1
    const id = this.size++
    if (2 * this.size > this.slots.length) {
      this.rehash(2 * this.slots.length)
      slot = this.slotOf(key, hash)
    }
    const start = this.starts[id]!
    this.starts = grown(this.starts, id + 2)
    this.hashes = grown(this.hashes, id + 1)
    this.chars = grown(this.chars, start + key.length)
    for (let i = 0; i < key.length; i++) this.chars[start + i] = key.charCodeAt(i)
    this.starts[id + 1] = start + key.length
    this.hashes[id] = hash
    this.slots[slot] = id + 1
    return id
  }

  private rehash(capacity: number): void {
    this.slots = new Int32Array(capacity)
    const mask = capacity - 1
    for (let id = 0; id < this.size - 1; id++) {
      let slot = this.hashes[id]! & mask
      while (this.slots[slot] !== 0) slot = (slot + 1) & mask
      this.slots[slot] = id + 1
    }
  }
}

/**
 * The signature and level of a patternKey (strings made on demand, for the rows written): the inverse of
 * core's patternKey, whose separator cannot occur in a signature (a test holds the two together).
 */
export function splitPatternKey(key: string): { signature: string; level: LevelName } {
  const i = key.lastIndexOf('\u0000')
  return { signature: key.slice(0, i), level: key.slice(i + 1) as LevelName }
}

/**
 * Rows of `width` numbers, at most one per pattern id, created (zeroed) on first use and kept in the order
 * they were created. `values[row * width + field]` holds a field.
 */
export class IdRows {
  /** Row + 1 of each id (0: none). */
  private rowOf = new Int32Array(FIRST_CAPACITY)
  /** The id of each row. */
  ids = new Int32Array(FIRST_CAPACITY)
  values: Float64Array
  size = 0

  constructor(readonly width: number) {
    this.values = new Float64Array(FIRST_CAPACITY * width)
  }

  /** The row of `id`, or -1. */
  find(id: number): number {
    return id < this.rowOf.length ? this.rowOf[id]! - 1 : -1
  }

  /** The row of `id`, created if it has none. */
  row(id: number): number {
    const found = this.find(id)
    if (found >= 0) return found
    const row = this.size++
    this.rowOf = grown(this.rowOf, id + 1)
    this.ids = grown(this.ids, this.size)
    this.values = grown(this.values, this.size * this.width)
    this.rowOf[id] = row + 1
    this.ids[row] = id
    return row
  }

  /** Gives each row the id `to(old id)` (ids of another index); rows keep their order. */
  renumber(to: (id: number) => number): void {
    this.rowOf = new Int32Array(this.rowOf.length)
    for (let row = 0; row < this.size; row++) {
      const id = to(this.ids[row]!)
      this.ids[row] = id
      this.rowOf = grown(this.rowOf, id + 1)
      this.rowOf[id] = row + 1
    }
  }
}

/**
 * A string (or null) per row, the characters of all of them in one array: templates and examples of a
 * million patterns held until a flush are then no million strings. A changed string is appended; the
 * column lives one flush interval.
 */
export class TextColumn {
  private chars = new Uint16Array(FIRST_CAPACITY * 32)
  private used = 0
  private starts = new Int32Array(FIRST_CAPACITY)
  /** Characters of each row's string; -1 for null. */
  private lengths = new Int32Array(FIRST_CAPACITY)

  set(row: number, text: string | null): void {
    this.starts = grown(this.starts, row + 1)
    this.lengths = grown(this.lengths, row + 1)
    if (text === null) {
      this.lengths[row] = -1
      return
    }
    if (this.equals(row, text)) return
    const start = this.used
    this.chars = grown(this.chars, start + text.length)
    for (let i = 0; i < text.length; i++) this.chars[start + i] = text.charCodeAt(i)
    this.used += text.length
    this.starts[row] = start
    this.lengths[row] = text.length
  }

  /** True when the row holds `text` (compared in place, no string made). */
  equals(row: number, text: string): boolean {
    return this.lengths[row] === text.length && this.holds(row, text)
  }

  private holds(row: number, text: string): boolean {
    const start = this.starts[row]!
    for (let i = 0; i < text.length; i++) if (this.chars[start + i] !== text.charCodeAt(i)) return false
    return true
  }

  /** The row's string (a new one each call). */
  get(row: number): string | null {
    const length = this.lengths[row]!
    if (length < 0) return null
    return spell(this.chars, this.starts[row]!, length)
  }
}

/** The string of `length` UTF-16 code units at `start` of `chars`. */
function spell(chars: Uint16Array, start: number, length: number): string {
  let out = ''
  // fromCharCode takes the units as arguments: in slices well below any engine's argument limit.
  for (let at = start; at < start + length; at += 8192) {
    const end = Math.min(start + length, at + 8192)
    out += String.fromCharCode.apply(null, chars.subarray(at, end) as unknown as number[])
  }
  return out
}

/** A function moving ids of `from` to `to`, interning there the keys it lacks. */
export const reindex =
  (from: PatternIndex, to: PatternIndex) =>
  (id: number): number =>
    to.intern(from.key(id))
