// The masking scanner of message signatures (spec: docs/signature.md). One left-to-right pass over char
// codes with bounded look-ahead and memoized quote search, so the work is linear in the scanned length.

import {
  endsValue,
  isCloser,
  isDateName,
  isHex,
  isHexId,
  isHostName,
  isNumberPrefix,
  isOpener,
  isUnit,
  DIGIT as LEXICON_DIGIT,
  SPACE as LEXICON_SPACE,
  WORD as LEXICON_WORD,
  cls as lexiconCls,
  codes as lexiconCodes,
  isToken as lexiconIsToken,
  VALUE_KEYWORDS,
  wordKey,
} from './signature-lexicon.js'

/** Only the first MAX_SCAN UTF-16 code units of a rendered message are scanned (bounded work). */
export const MAX_SCAN = 4096
/** The mask written in place of a variable token. */
export const MASK = '<*>'

// The lexicon names used in the per-char loops, as module constants: run from source as separate ES
// modules (tests, benches, workspace consumers), every use of an imported binding loads it from its
// module cell, which measured ~15% of the scan; bundles (dist, browser) compile these to plain aliases.
const codes = lexiconCodes
const cls = lexiconCls
const isToken = lexiconIsToken
const SPACE = LEXICON_SPACE
const DIGIT = LEXICON_DIGIT
const WORD = LEXICON_WORD

// Every read stays below `end` (the scanned length), so text after the cut never changes the template.

/**
 * Scanner state for one message. Module-level (not a closure per call) so the hot path allocates only
 * the output string; the scanner is synchronous, so there is no re-entrancy.
 */
let src = ''
let end = 0
// The output is built in `out`. Text copied unchanged from the source is not appended piece by piece:
// it grows a verbatim run [runStart, runEnd) of `src` that is sliced once when something else must be
// written (fewer small strings). Separators written right after a mask wait in `pending`, because the
// next mask collapses them away. Nothing reads back from `out` (that would flatten V8's rope string).
let out = ''
let runStart = 0
let runEnd = -1
let hasOutput = false
let pending = ''
let afterMask = false
// Opening brackets swallowed by a collapse: as many closing brackets right after it are swallowed too.
let dropClosers = 0
// The next word is a value whatever it looks like (after a lone '=' or the word 'user').
let maskNextWord = false
// End of the last compound that was kept: its joiners are separators when it is scanned again.
let compoundEnd = 0
// End of the last token that was a value keyword ("user"), so that "user=…" masks its value.
let valueKeyEnd = -1

function flushRun(): void {
  if (runEnd > runStart) out += src.slice(runStart, runEnd)
  runEnd = -1
}

/** Appends src[from, to) unchanged. */
function copy(from: number, to: number): void {
  if (runEnd === from) runEnd = to
  else {
    flushRun()
    runStart = from
    runEnd = to
  }
  hasOutput = true
}

/** Writes src[from, to) as text (it breaks a run of masks). */
function writeText(from: number, to: number): void {
  if (afterMask) {
    out += pending
    pending = ''
    afterMask = false
  }
  copy(from, to)
  dropClosers = 0
}

/** Writes the separator src[k]; after a mask it waits in `pending` (a following mask drops it). */
function writeSep(k: number): void {
  const c = codes[k]!
  if (!afterMask) copy(k, k + 1)
  else if (dropClosers > 0 && isCloser(c)) dropClosers--
  else pending += src[k]
}

function writeSeps(from: number, to: number): void {
  for (let k = from; k < to; k++) writeSep(k)
}

/** Writes the single space that joins the word starting at `i` to the previous one. */
function writeSpace(i: number): void {
  if (afterMask) pending += ' '
  else if (runEnd === i - 1 && codes[i - 1]! === 0x20) runEnd = i
  else {
    flushRun()
    out += ' '
  }
}

function writeMask(): void {
  if (!afterMask) {
    flushRun()
    out += MASK
    hasOutput = true
    afterMask = true
    pending = ''
    dropClosers = 0
    return
  }
  // Only separators since the previous mask: the run collapses into that mask. Closing brackets right
  // after the previous mask close brackets opened before it, so they stay; opening ones are dropped
  // and so will be their closing brackets.
  let keep = 0
  while (keep < pending.length && isCloser(pending.charCodeAt(keep))) keep++
  for (let k = keep; k < pending.length; k++) {
    const c = pending.charCodeAt(k)
    if (isOpener(c)) dropClosers++
    else if (isCloser(c) && dropClosers > 0) dropClosers--
  }
  if (keep > 0) out += pending.slice(0, keep)
  pending = ''
}

/** True when [at, …) is ':' and digits up to a non-token char: the token before it is a host (host:port). */
function isPortAt(at: number, wordEnd: number): boolean {
  if (codes[at]! !== 0x3a) return false
  let k = at + 1
  while (k < wordEnd && cls(codes[k]!) === DIGIT) k++
  return k > at + 1 && (k === wordEnd || !isToken(cls(codes[k]!)))
}

/** True when [from, to) is lower-case ASCII letters and '-' only: a single-label host name (wpad, redis). */
function isLowerName(from: number, to: number): boolean {
  for (let k = from; k < to; k++) {
    const c = codes[k]!
    if ((c < 0x61 || c > 0x7a) && c !== 0x2d) return false
  }
  return true
}

/** The next word after `k` starts with a digit, or is a date name followed by such a word ("Fri Jul 1"). */
function dateFollows(k: number, again: boolean): boolean {
  while (k < end && cls(codes[k]!) === SPACE) k++
  if (k >= end) return false
  if (cls(codes[k]!) === DIGIT) return true
  if (!again) return false
  let w = k
  while (w < end && w - k < 10 && cls(codes[w]!) === WORD) w++
  return isDateName(src, k, w) && dateFollows(w, false)
}

/**
 * End of an IPv6-like address starting at `k` (hex groups and ':' with 2+ colons and a digit or '::',
 * optionally an embedded IPv4 and a %zone), or -1. Also matches MAC addresses and hh:mm:ss times.
 */
function colonHexEnd(k: number, wordEnd: number): number {
  let colons = 0
  let digit = false
  let double = false
  let e = k
  for (; e < wordEnd; e++) {
    const c = codes[e]!
    if (c === 0x3a) {
      colons++
      if (e + 1 < wordEnd && codes[e + 1]! === 0x3a) double = true
    } else if (c >= 0x30 && c <= 0x39) digit = true
    else if (!isHex(c) && c !== 0x2e) break
  }
  if (colons < 2 || !(digit || double)) return -1
  if (e < wordEnd && codes[e]! === 0x25) {
    e++ // %zone
    while (e < wordEnd && isToken(cls(codes[e]!))) e++
  }
  return e === wordEnd || !isToken(cls(codes[e]!)) ? e : -1
}

/**
 * Writes the token [from, to) of a word ending at wordEnd, with `dots` '.' inside it: masked if it has a
 * digit or by the other token rules of docs/signature.md §3.
 */
function writeToken(from: number, to: number, hasDigit: boolean, dots: number, wordEnd: number): void {
  if (
    hasDigit ||
    isHexId(from, to) ||
    (dots > 0 && isHostName(src, from, to)) ||
    (isPortAt(to, wordEnd) && (dots > 0 || isLowerName(from, to)))
  ) {
    writeMask()
    return
  }
  // Word-list lookups allocate a lower-cased copy, so they only run for tokens that could match.
  const len = to - from
  const first = codes[from]!
  if (first > 0x40 && first < 0x5b && dateFollows(to, true) && isDateName(src, from, to)) {
    writeMask()
    return
  }
  if (afterMask && pending === ' ' && isUnit(src, from, to)) {
    // "10 KB": the unit is part of the size; drop it and the space before it.
    pending = ''
    return
  }
  if (
    (codes[from]! | 0x20) === 0x75 &&
    (len === 4 || len === 8) &&
    VALUE_KEYWORDS.has(wordKey(src, from, to))
  ) {
    if (to === wordEnd) maskNextWord = true
    valueKeyEnd = to
  }
  writeText(from, to)
}

/** Masks the word [i, wordEnd) as one value, keeping its leading and trailing punctuation. */
function maskWhole(i: number, wordEnd: number): void {
  let a = i
  let b = wordEnd
  while (a < b && !isToken(cls(codes[a]!))) a++
  while (b > a && !isToken(cls(codes[b - 1]!))) b--
  writeSeps(i, a)
  if (b > a) writeMask()
  writeSeps(b, wordEnd)
}

const isSlash = (c: number): boolean => c === 0x2f || c === 0x5c // / \

/** Scans the rest of a whitespace-delimited word from `i`; returns the index after it. */
function maskWord(i: number): number {
  let wordEnd = i
  const first = codes[i]!
  let whole = maskNextWord && !isOpener(first) && first !== 0x3c
  maskNextWord = false
  for (; wordEnd < end; wordEnd++) {
    const c = codes[wordEnd]!
    if (cls(c) === SPACE) break
    // '@' inside a word (user@host) or '://' (a URL): the whole word is one value.
    if (c === 0x40 && wordEnd > i) whole = true
    else if (c === 0x3a && wordEnd + 2 < end && codes[wordEnd + 1]! === 0x2f) {
      if (codes[wordEnd + 2]! === 0x2f) whole = true
    }
  }
  if (whole) {
    maskWhole(i, wordEnd)
    return wordEnd
  }
  let k = i
  while (k < wordEnd) {
    const c = codes[k]!
    if ((isHex(c) || c === 0x3a) && (k === i || isOpener(codes[k - 1]!) || codes[k - 1] === 0x3d)) {
      // Only tried at the start of a word, after a bracket or '=', so each char is looked at twice at most.
      const e = colonHexEnd(k, wordEnd)
      if (e > k) {
        writeMask()
        k = e
        continue
      }
    }
    // A compound: token chars and the joiners / \\ ~ (paths, routes, ids like a~b~1.0). One that is kept
    // is scanned again from its start, its joiners then plain separators.
    const joins = k >= compoundEnd
    if (isToken(cls(c)) || (joins && isSlash(c) && k + 1 < wordEnd && isToken(cls(codes[k + 1]!)))) {
      const from = k
      let hasDigit = false
      let dots = 0
      let slashes = 0
      let tildes = 0
      for (; k < wordEnd; k++) {
        const ch = codes[k]!
        const u = cls(ch)
        if (u === DIGIT) hasDigit = true
        else if (u === WORD) {
          if (ch === 0x2e) dots++
        } else if (joins && isSlash(ch)) slashes++
        else if (joins && ch === 0x7e) tildes++
        else break
      }
      if (slashes + tildes > 0 && !(hasDigit || slashes > 1 || isSlash(c))) {
        compoundEnd = k
        k = from
        continue
      }
      let to = k
      while (to > from + 1 && codes[to - 1]! === 0x2e) to-- // trailing dots end a sentence
      if (slashes + tildes > 0)
        writeMask() // a path, or an id with a variable part
      else writeToken(from, to, hasDigit, dots, wordEnd)
      writeSeps(to, k)
      continue
    }
    if (k === i && isOpener(c) && k + 1 < wordEnd && codes[k + 1]! === c + (c === 0x28 ? 1 : 2)) {
      // A standalone empty "()" / "[]" / "{}" is an empty value.
      writeMask()
      k += 2
      continue
    }
    if (c === 0x3d && k === valueKeyEnd && k + 1 < wordEnd && !endsValue(codes[k + 1]!)) {
      // user=value: the value of a value keyword runs to a value terminator, whatever it looks like.
      let v = k + 1
      while (v < wordEnd && !endsValue(codes[v]!)) v++
      writeSep(k)
      writeMask()
      k = v
      continue
    }
    if (k === i && isNumberPrefix(c) && k + 1 < wordEnd && cls(codes[k + 1]!) === DIGIT) {
      k++ // "<1", "~5", "+3": the prefix is part of the number
      continue
    }
    writeSep(k)
    k++
  }
  return wordEnd
}

/** The template of a rendered message: the scanner of docs/signature.md. Never throws. */
export function maskMessageText(text: string): string {
  src = text
  end = Math.min(text.length, MAX_SCAN)
  // codes[end] = 0 (a SPACE): a read one past the scanned text (after a token that ends it) sees no ':'.
  for (let k = 0; k < end; k++) codes[k] = text.charCodeAt(k)
  codes[end] = 0
  out = ''
  runEnd = -1
  hasOutput = false
  pending = ''
  afterMask = false
  dropClosers = 0
  maskNextWord = false
  valueKeyEnd = -1
  compoundEnd = 0
  let i = 0
  while (i < end) {
    if (cls(codes[i]!) === SPACE) {
      i++
      continue
    }
    // Words are joined by one space; the space itself does not break a run of masks.
    if (hasOutput) writeSpace(i)
    i = maskWord(i)
  }
  if (text.length > end) {
    if (hasOutput) writeSpace(end)
    writeMask() // truncated: the rest of the message is one value
  }
  // Separators after the last mask are kept, trailing spaces trimmed (a dropped unit can leave one).
  // Only `pending` can end with a space: every word written outside a run of masks writes something.
  flushRun()
  while (pending.length > 0 && pending.charCodeAt(pending.length - 1) === 0x20) pending = pending.slice(0, -1)
  const result = out + pending
  src = ''
  out = ''
  pending = ''
  return result
}
