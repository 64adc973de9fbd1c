// The message of a kept line, interpolated from its format string compiled once, with exactly the output
// of pino's formatter (quick-format-unescaped 4, which pino 8, 9 and 10 call). That formatter scans the
// format string character by character on every line (~160 ns for `'order %s placed by %s'`); a kept
// line handed to pino already formatted skips it (pino returns a message without values as it is). This
// is what lets a kept line with values cost about what it costs without Logsieve.
//
// Only what is certain to match is done here; `interpolate` returns undefined otherwise and pino formats
// the line itself: a format with %j, %o or %O (they depend on pino's stringify options), and a value that
// is not a string, number, boolean, bigint, null or undefined (String() of an object runs app code).

const S = 0 // %s: String(value); the placeholder stays when the value is missing
const D = 1 // %d, %f: Number(value); the placeholder stays when the value is missing, null or undefined
const I = 2 // %i: Math.floor(Number(value)); as %d otherwise

export interface Compiled {
  /** Literal text before each placeholder, and after the last (`texts.length === kinds.length + 1`). */
  texts: string[]
  kinds: number[]
  /** The index, among the values, that each placeholder reads. */
  slots: number[]
  /** Each placeholder as written (`%d` or `%f`…): it stays in the message when its value is missing. */
  raws: string[]
}

/**
 * Compile a format string the way quick-format-unescaped reads it: every `%` followed by a character
 * takes the next value's slot (even a `%x` it does not know, which stays as text), except `%%`, which
 * is a `%`. undefined when the format cannot be interpolated here (%j, %o, %O) or has no placeholder.
 */
export function compileFormat(f: string): Compiled | undefined {
  const texts: string[] = []
  const kinds: number[] = []
  const slots: number[] = []
  const raws: string[] = []
  let text = ''
  let from = 0
  let slot = 0
  for (let i = 0; i < f.length - 1; i++) {
    if (f.charCodeAt(i) !== 37) continue
    const c = f.charCodeAt(i + 1)
    let kind = -1
    if (c === 115) kind = S
    else if (c === 100 || c === 102) kind = D
    else if (c === 105) kind = I
    else if (c === 106 || c === 111 || c === 79) return undefined
    else if (c === 37) {
      // %% is a literal % and takes no slot.
      text += `${f.slice(from, i)}%`
      from = i + 2
      i++
      continue
    }
    if (kind >= 0) {
      texts.push(text + f.slice(from, i))
      kinds.push(kind)
      slots.push(slot)
      raws.push(f.slice(i, i + 2))
      text = ''
      from = i + 2
      i++
    }
    // An unknown %x stays as text and still takes a slot; the scan goes on at x.
    slot++
  }
  if (kinds.length === 0) return undefined
  texts.push(text + f.slice(from))
  return { texts, kinds, slots, raws }
}

/**
 * The formatted message of `values` (args[start] onwards), or undefined when a value is one this does
 * not format (see the file comment).
 */
export function interpolate(c: Compiled, args: ArrayLike<unknown>, start: number): string | undefined {
  const texts = c.texts
  const count = args.length - start
  let out = texts[0] as string
  for (let k = 0; k < c.kinds.length; k++) {
    const slot = c.slots[k] as number
    const kind = c.kinds[k] as number
    if (slot >= count) out += c.raws[k] as string
    else {
      const v = args[start + slot]
      const t = typeof v
      if (t === 'string' && kind === S) out += v as string
      else if (t === 'string' || t === 'number' || t === 'boolean' || t === 'bigint') {
        out += kind === S ? String(v) : kind === D ? Number(v) : Math.floor(Number(v))
      } else if (v === null || v === undefined) out += kind === S ? String(v) : (c.raws[k] as string)
      else return undefined
    }
    out += texts[k + 1] as string
  }
  return out
}
