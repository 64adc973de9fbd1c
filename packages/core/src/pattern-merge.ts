// Pattern merging (docs/signature.md §9): the signatures of one log statement that a single line could not
// unify (a varying word such as a user, device or service name) are grouped into one pattern, using what
// only the server has: every template of a service and their token positions. In the spirit of Drain and
// Brain: templates of one level and one token count are split recursively on their most constant-like
// differing position until every remaining differing position takes many values; those become `<*>`.

import { hash64Hex } from './hash.js'
import type { LevelName } from './severity.js'

/** One template of a service, as the stats report it. */
export interface TemplateEntry {
  signature: string
  template: string
  level: LevelName
  /** Lines seen (orders members; not a merge criterion). */
  count: number
}

/** A group of signatures that come from one log statement. */
export interface MergedPattern {
  /** Stable id: 16 hex chars, kept across generations once the pattern exists (see `known`). */
  id: string
  level: LevelName
  /** Member signatures, at least two, most frequent first. */
  members: string[]
  /** The members' common template, `<*>` where they differ (space-separated tokens). */
  template: string
  /** Why the members were merged, for people (API, CLI, dashboard). */
  reason: string
}

export interface MergeOptions {
  /** Patterns of the previous generation: they keep their ids and members, and new templates join them. */
  known?: readonly MergedPattern[]
  /**
   * Sets of signatures no two of which may share a pattern: a split pattern's members, a forbidden merge.
   * They stick: merging never joins them again, whatever the templates.
   */
  apart?: readonly (readonly string[])[]
  /** Distinct values a position must take to become a variable. @default 3 */
  minDistinct?: number
}

export interface MergeResult {
  /** Every pattern (known ones first, then new ones), each with two or more members. */
  patterns: MergedPattern[]
  /** The pattern of a (signature, level), if it belongs to one. */
  patternOf(signature: string, level: LevelName): MergedPattern | undefined
}

/** Most positions a template may have to be merged (longer ones stay alone; bounds the work). */
export const MAX_MERGE_TOKENS = 64
const MASK = '<*>'

interface Item {
  entry: TemplateEntry
  tokens: string[]
}

const memberKey = (signature: string, level: LevelName): string => `${level}\u0000${signature}`

/** The id of a new pattern: from its level and its first member, so a recomputation finds it again. */
export function patternId(level: LevelName, firstMember: string): string {
  return hash64Hex(`pattern\u0000${level}\u0000${firstMember}`)
}

/** Groups a service's templates into patterns. Pure and deterministic; O(templates × tokens × depth). */
export function mergeTemplates(entries: readonly TemplateEntry[], options: MergeOptions = {}): MergeResult {
  const minDistinct = Math.max(2, options.minDistinct ?? 3)
  const apart = new ApartSets(options.apart ?? [])
  const byKey = new Map<string, MergedPattern>()
  const patterns: MergedPattern[] = []
  const add = (p: MergedPattern): void => {
    patterns.push(p)
    for (const m of p.members) byKey.set(memberKey(m, p.level), p)
  }

  // Known patterns stay as they are, unless a split or a forbidden merge now runs through them.
  const known = new Map<string, { pattern: MergedPattern; tokens: string[] }[]>()
  for (const k of options.known ?? []) {
    if (
      k.members.length < 2 ||
      !apart.allowed(k.members) ||
      k.members.some((m) => byKey.has(memberKey(m, k.level)))
    )
      continue
    const p = { ...k, members: [...k.members] }
    add(p)
    const tokens = k.template.split(' ')
    const group = `${k.level} ${tokens.length}`
    known.set(group, [...(known.get(group) ?? []), { pattern: p, tokens }])
  }

  const groups = new Map<string, Item[]>()
  const seen = new Set<string>()
  for (const entry of [...entries].sort(byCountThenSignature)) {
    const key = memberKey(entry.signature, entry.level)
    if (seen.has(key) || byKey.has(key)) continue
    seen.add(key)
    // Count before splitting: a long template would allocate hundreds of tokens only to be skipped.
    if (hasMoreWords(entry.template, MAX_MERGE_TOKENS)) continue
    const tokens = entry.template.split(' ')
    const group = `${entry.level} ${tokens.length}`
    // A new template of a known pattern's shape joins it: ids and members do not churn.
    const home = known
      .get(group)
      ?.find((k) => matches(k.tokens, tokens) && apart.allowed([...k.pattern.members, entry.signature]))
    if (home) {
      home.pattern.members.push(entry.signature)
      byKey.set(key, home.pattern)
      continue
    }
    const list = groups.get(group)
    if (list) list.push({ entry, tokens })
    else groups.set(group, [{ entry, tokens }])
  }

  for (const items of groups.values()) {
    for (const cluster of refine(items, minDistinct, apart)) {
      const level = cluster.items[0]!.entry.level
      const members = cluster.items.map((i) => i.entry.signature)
      add({
        id: patternId(level, [...members].sort()[0]!),
        level,
        members,
        template: cluster.template,
        reason: cluster.reason,
      })
    }
  }
  return { patterns, patternOf: (signature, level) => byKey.get(memberKey(signature, level)) }
}

function byCountThenSignature(a: TemplateEntry, b: TemplateEntry): number {
  return b.count - a.count || (a.signature < b.signature ? -1 : a.signature > b.signature ? 1 : 0)
}

/** True when `tokens` fits `pattern`: equal at every position where the pattern is not `<*>`. */
function matches(pattern: readonly string[], tokens: readonly string[]): boolean {
  for (let p = 0; p < pattern.length; p++) if (pattern[p] !== MASK && pattern[p] !== tokens[p]) return false
  return true
}

interface Cluster {
  items: Item[]
  template: string
  reason: string
}

/**
 * Splits templates of one level and token count into clusters of one statement. A cluster is accepted when
 * every position where its members differ takes at least `minDistinct` values and its constant words are
 * at least as many as those positions; otherwise it is split on the differing position whose most common
 * value is the most common (the most constant-like one: it tells statements apart), and so on.
 */
function refine(all: Item[], minDistinct: number, apart: ApartSets): Cluster[] {
  const out: Cluster[] = []
  const stack: Item[][] = [all]
  while (stack.length > 0) {
    const items = stack.pop()!
    if (items.length < 2) continue
    const n = items[0]!.tokens.length
    let constants = 0
    const variable: Array<{ position: number; values: Map<string, number> }> = []
    let split = -1
    let splitRank = -1
    for (let p = 0; p < n; p++) {
      const values = new Map<string, number>()
      for (const it of items) values.set(it.tokens[p]!, (values.get(it.tokens[p]!) ?? 0) + 1)
      if (values.size === 1) {
        if (items[0]!.tokens[p] !== MASK) constants++
        continue
      }
      let most = 0
      let digits = false
      for (const [v, c] of values) {
        if (c > most) most = c
        // A masked template keeps no digit: a word with one is a format string's constant.
        digits ||= /\d/.test(v)
      }
      const constant = values.size < minDistinct || digits
      // Positions that cannot be variables are split first; then the most constant-like.
      const rank = (constant ? items.length + 1 : 0) + most
      if (rank > splitRank) {
        split = p
        splitRank = rank
      }
      if (!constant) variable.push({ position: p, values })
    }
    const differing = variable.length
    const coherent = split >= 0 && splitRank <= items.length && constants >= Math.max(1, differing)
    if (coherent) {
      const signatures = items.map((i) => i.entry.signature)
      if (apart.allowed(signatures)) {
        out.push(cluster(items, variable))
        continue
      }
      for (const part of apart.partition(items)) stack.push(part)
      continue
    }
    if (split < 0) continue // identical token lists cannot come from distinct templates
    const parts = new Map<string, Item[]>()
    for (const it of items) {
      const v = it.tokens[split]!
      const part = parts.get(v)
      if (part) part.push(it)
      else parts.set(v, [it])
    }
    // One push per part: spreading a million parts into one call overflows the stack.
    for (const part of parts.values()) stack.push(part)
  }
  return out
}

function cluster(items: Item[], variable: Array<{ position: number; values: Map<string, number> }>): Cluster {
  const tokens = [...items[0]!.tokens]
  for (const v of variable) tokens[v.position] = maskKeepingBrackets([...v.values.keys()])
  const described = variable.map((v) => {
    const examples = [...v.values.keys()].slice(0, 3).join(', ')
    return `word ${v.position + 1} takes ${v.values.size} values (${examples}${v.values.size > 3 ? ', …' : ''})`
  })
  return {
    items,
    template: tokens.join(' '),
    reason: `${items.length} templates equal but where ${described.join('; ')}`,
  }
}

// Letters, digits, '_', '.', '$', '-' and anything non-ASCII: not bracket punctuation.
const isWordChar = (c: string): boolean => /[\w.$-]/.test(c) || c.charCodeAt(0) >= 0x80

/** `<*>` wrapped in the punctuation all values share at their ends: `[LNKA]`, `[LNKB]` → `[<*>]`. */
function maskKeepingBrackets(values: string[]): string {
  const first = values[0]!
  let head = 0
  while (head < first.length && !isWordChar(first[head]!) && values.every((v) => v[head] === first[head]))
    head++
  let tail = 0
  while (
    tail < first.length - head &&
    !isWordChar(first[first.length - 1 - tail]!) &&
    values.every((v) => v.length - tail > head && v[v.length - 1 - tail] === first[first.length - 1 - tail])
  )
    tail++
  if (first.slice(head, first.length - tail) === MASK) return first
  return `${first.slice(0, head)}${MASK}${first.slice(first.length - tail)}`
}

/** The "kept apart" constraints: which signatures may not share a pattern. */
class ApartSets {
  private readonly setsOf = new Map<string, number[]>()
  constructor(sets: readonly (readonly string[])[]) {
    sets.forEach((set, index) => {
      for (const s of new Set(set)) this.setsOf.set(s, [...(this.setsOf.get(s) ?? []), index])
    })
  }

  /** True when no two of `signatures` are kept apart. */
  allowed(signatures: readonly string[]): boolean {
    if (this.setsOf.size === 0) return true
    const used = new Set<number>()
    for (const s of signatures) {
      for (const index of this.setsOf.get(s) ?? []) {
        if (used.has(index)) return false
        used.add(index)
      }
    }
    return true
  }

  /** Splits items (most frequent first) greedily into groups without a pair kept apart. */
  partition(items: Item[]): Item[][] {
    const groups: Array<{ items: Item[]; sets: Set<number> }> = []
    for (const it of items) {
      const mine = this.setsOf.get(it.entry.signature) ?? []
      const home = groups.find((g) => mine.every((i) => !g.sets.has(i)))
      if (home) {
        home.items.push(it)
        for (const i of mine) home.sets.add(i)
      } else groups.push({ items: [it], sets: new Set(mine) })
    }
    return groups.map((g) => g.items)
  }
}

/** True when `text` has more than `max` space-separated words, found without splitting it. */
function hasMoreWords(text: string, max: number): boolean {
  let spaces = 0
  for (let i = text.indexOf(' '); i !== -1; i = text.indexOf(' ', i + 1)) if (++spaces >= max) return true
  return false
}
