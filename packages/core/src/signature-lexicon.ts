// The vocabulary of the signature scanner (docs/signature.md §2 and §5): character classes, bracket and
// quote kinds, and the word lists, with the token predicates that need nothing but the text.

// Character classes, indexed by char code for the ASCII range; codes >= 0x80 are classified in `cls`.
export const SPACE = 1 // whitespace and control characters: separate words
export const WORD = 2 // letters, '_', '-', '.', '$', and every non-space code >= 0x80: parts of a token
export const DIGIT = 3 // 0-9: parts of a token, and make it variable
export const PUNCT = 4 // every other printable ASCII character: separates tokens inside a word
const ASCII = new Uint8Array(128)
for (let c = 0; c < 128; c++) {
  ASCII[c] =
    c <= 0x20 || c === 0x7f
      ? SPACE
      : c >= 0x30 && c <= 0x39
        ? DIGIT
        : (c >= 0x41 && c <= 0x5a) ||
            (c >= 0x61 && c <= 0x7a) ||
            c === 0x5f ||
            c === 0x2d ||
            c === 0x2e ||
            c === 0x24
          ? WORD
          : PUNCT
}

/**
 * The code units of the message being scanned (the scanner fills [0, end] once per message, codes[end]
 * being 0). Reading a typed array is several times cheaper than String#charCodeAt, which dispatches on
 * the string's representation (cons, sliced, one- or two-byte) on every call, and the scanner and the
 * predicates below read each code unit several times.
 */
export const codes = new Uint16Array(4097) // MAX_SCAN + 1

export function cls(c: number): number {
  if (c < 0x80) return ASCII[c]!
  // C1 controls, NBSP, the Unicode spaces JavaScript's \s knows, and the BOM count as whitespace.
  if (c <= 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a)) return SPACE
  if (c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff) {
    return SPACE
  }
  return WORD
}

export const isToken = (k: number): boolean => k === WORD || k === DIGIT
export const isHexLetter = (c: number): boolean => (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46)
// Ends a key=value value: , ; & ) ] } > and whitespace.
export const endsValue = (c: number): boolean =>
  c === 0x2c || c === 0x3b || c === 0x26 || c === 0x29 || c === 0x5d || c === 0x7d || c === 0x3e

export const isOpener = (c: number): boolean => c === 0x28 || c === 0x5b || c === 0x7b // ( [ {
export const isCloser = (c: number): boolean => c === 0x29 || c === 0x5d || c === 0x7d // ) ] }
// Comparison or sign prefixes that belong to the number they precede ("<1 sec", "~5", "+3").
export const isNumberPrefix = (c: number): boolean => c === 0x3c || c === 0x3e || c === 0x7e || c === 0x2b

/** Lower-case ASCII words with a fixed meaning for the scanner (see docs/signature.md, "word lists"). */
export const UNITS = new Set(
  'b byte bytes kb mb gb tb kib mib gib tib ns us ms s sec secs second seconds min mins minute minutes h hr hrs hour hours day days'.split(
    ' ',
  ),
)
// Every month and day name and its first three letters (jan … dec, mon … sun).
export const DATE_NAMES = new Set(
  'january february march april may june july august september october november december monday tuesday wednesday thursday friday saturday sunday'
    .split(' ')
    .flatMap((name) => [name, name.slice(0, 3)]),
)
export const VALUE_KEYWORDS = new Set(['user', 'username'])

/**
 * True when [from, to) is a capitalized date name (Jul, MON, Friday; not the words may, sun, mar). It
 * allocates a lower-cased copy: the scanner asks only once a number follows (see dateFollows).
 */
export function isDateName(s: string, from: number, to: number): boolean {
  const len = to - from
  return (
    len > 2 && len < 10 && codes[from]! > 0x40 && codes[from]! < 0x5b && DATE_NAMES.has(wordKey(s, from, to))
  )
}

/** True when [from, to) is 8+ chars of hex letters (an id without digits). */
export function isHexId(from: number, to: number): boolean {
  if (to - from < 8) return false
  for (let k = from; k < to; k++) if (!isHexLetter(codes[k]!)) return false
  return true
}

// Top-level domains that mark a dotted token as a host name; a two-letter country code does when the
// label before it is one of these (cse.cuhk.edu.hk, bbc.co.uk).
const TLDS = new Set('com net org edu gov mil int io info biz arpa local lan internal corp co ac'.split(' '))

/** True when the last label of the dotted token [from, to) is a top-level domain: a host name. */
export function isHostName(s: string, from: number, to: number): boolean {
  let dot = to - 2
  while (dot > from && codes[dot] !== 0x2e) dot--
  return dot > from && (TLDS.has(wordKey(s, dot + 1, to)) || (to - dot === 3 && isHostName(s, from, dot)))
}

/** [from, to) lower-cased for a word-list lookup: ASCII letters only, at most 9 chars, else ''. */
export function wordKey(s: string, from: number, to: number): string {
  if (to - from > 9) return ''
  for (let k = from; k < to; k++) if (codes[k]! >= 0x80) return ''
  return s.slice(from, to).toLowerCase()
}

export const isHex = (c: number): boolean => (c >= 0x30 && c <= 0x39) || isHexLetter(c)

// First letters of the units, as a bit mask over 'a'..'z' (prefilter before the lower-cased lookup).
let unitFirst = 0
for (const unit of UNITS) unitFirst |= 1 << (unit.charCodeAt(0) - 0x61)

/** True when [from, to) is a unit (ASCII case-insensitive); the bit mask rejects most words cheaply. */
export function isUnit(s: string, from: number, to: number): boolean {
  const first = codes[from]! | 0x20
  if (to - from > 7 || first < 0x61 || first > 0x7a || (unitFirst & (1 << (first - 0x61))) === 0) return false
  return UNITS.has(wordKey(s, from, to))
}
