import { describe, expect, it } from 'vitest'
import { mergeTemplates, type TemplateEntry } from './pattern-merge.js'
import type { LevelName } from './severity.js'
import { computeSignature } from './signature.js'

/** Templates of rendered messages, as the stats of a service carry them. */
function entries(messages: string[], level: LevelName = 'info'): TemplateEntry[] {
  const bySignature = new Map<string, TemplateEntry>()
  for (const m of messages) {
    const { signature, template } = computeSignature(m)
    const e = bySignature.get(signature)
    if (e) e.count++
    else bySignature.set(signature, { signature, template, level, count: 1 })
  }
  return [...bySignature.values()]
}

const sig = (message: string): string => computeSignature(message).signature

describe('mergeTemplates', () => {
  it('merges a position that takes many letter-only values across otherwise equal templates', () => {
    const users = ['root', 'admin', 'git', 'mysql', 'ftp']
    const input = entries(users.map((u, i) => `Failed password for ${u} from 10.0.0.${i} port 22`))
    const { patterns, patternOf } = mergeTemplates(input)
    expect(patterns).toHaveLength(1)
    const [p] = patterns
    expect(p!.template).toBe('Failed password for <*> from <*> port <*>')
    expect(p!.members).toHaveLength(5)
    expect(p!.id).toMatch(/^[0-9a-f]{16}$/)
    expect(p!.reason).toContain('word 4 takes 5 values')
    expect(patternOf(sig('Failed password for git from 1.2.3.4 port 1'), 'info')).toBe(p)
  })

  it('keeps two constants that differ in one word apart (too few values to be a variable)', () => {
    const input = entries(['Screen action SCREEN_ON done', 'Screen action SCREEN_OFF done'])
    expect(mergeTemplates(input).patterns).toEqual([])
  })

  it('merges interrupt links and hardware tables that vary jointly with numbers', () => {
    const input = entries(
      ['LNKA', 'LNKB', 'LNKC', 'LNKD'].map(
        (l, i) => `ACPI: PCI Interrupt Link [${l}] enabled at IRQ ${i + 5}`,
      ),
    )
    const { patterns } = mergeTemplates(input)
    expect(patterns.map((p) => p.template)).toEqual(['ACPI: PCI Interrupt Link [<*>] enabled at IRQ <*>'])
  })

  it('never joins two levels, nor templates of different lengths, nor unrelated statements', () => {
    const names = ['alpha', 'beta', 'gamma']
    const input = [
      ...entries(
        names.map((n) => `worker ${n} started`),
        'info',
      ),
      ...entries(
        names.map((n) => `worker ${n} crashed badly`),
        'error',
      ),
      ...entries(['disk full now', 'cache warm again', 'queue drained soon']),
    ]
    const { patterns } = mergeTemplates(input)
    expect(patterns.map((p) => [p.level, p.template]).sort()).toEqual([
      ['error', 'worker <*> crashed badly'],
      ['info', 'worker <*> started'],
    ])
  })

  it('splits statements of one length on the words that tell them apart before merging', () => {
    const input = entries([
      ...['a', 'b', 'c'].map((x) => `opened file ${x} for reading`),
      ...['d', 'e', 'f'].map((x) => `closed file ${x} after writing`),
    ])
    const templates = mergeTemplates(input).patterns.map((p) => p.template)
    expect(templates.sort()).toEqual(['closed file <*> after writing', 'opened file <*> for reading'])
  })

  it('never merges words with digits: format-string templates are exact', () => {
    const input = [1, 2, 3, 4].map((i) => ({
      signature: `${i}`.padStart(16, '0'),
      template: `retry ${i} of %d`,
      level: 'info' as const,
      count: 1,
    }))
    expect(mergeTemplates(input).patterns).toEqual([])
  })

  it('keeps ids stable: a known pattern keeps its id and new members join it', () => {
    const first = mergeTemplates(entries(['root', 'admin', 'git'].map((u) => `login by ${u} ok`)))
    const known = first.patterns
    const next = mergeTemplates(entries(['root', 'admin', 'git', 'bob'].map((u) => `login by ${u} ok`)), {
      known,
    })
    expect(next.patterns).toHaveLength(1)
    expect(next.patterns[0]!.id).toBe(known[0]!.id)
    expect(next.patterns[0]!.members).toContain(sig('login by bob ok'))
    // A recomputation from scratch finds the same id too (it derives from level and first member).
    expect(
      mergeTemplates(entries(['root', 'admin', 'git'].map((u) => `login by ${u} ok`))).patterns[0]!.id,
    ).toBe(known[0]!.id)
  })

  it('respects a split pattern and a forbidden merge, across generations', () => {
    const messages = ['root', 'admin', 'git', 'bob'].map((u) => `login by ${u} ok`)
    const [pattern] = mergeTemplates(entries(messages)).patterns
    // Split: its members are kept apart for good, even when the pattern is passed as known.
    const split = mergeTemplates(entries(messages), { known: [pattern!], apart: [pattern!.members] })
    expect(split.patterns).toEqual([])
    // Forbidden merge of two signatures: the others still merge, and those two never share a pattern.
    const forbid = [sig('login by root ok'), sig('login by admin ok')]
    const result = mergeTemplates(entries(messages), { apart: [forbid] })
    for (const p of result.patterns)
      expect(p.members.filter((m) => forbid.includes(m)).length).toBeLessThan(2)
    expect(result.patterns.some((p) => p.members.length >= 3)).toBe(true)
  })

  it('finds one pattern per statement among 10,000 templates of a service', () => {
    // 500 statements, each three words of its own, then a value that varies, then two common words.
    const word = (n: number): string => n.toString(26).replace(/\d/g, (d) => 'qrstuvwxyz'[Number(d)]!)
    const input: TemplateEntry[] = []
    for (let i = 0; i < 10_000; i++) {
      const s = i % 500
      const template = `${word(s)} ${word(s + 600)} ${word(s + 1200)} item ${word(i + 5000)} done`
      input.push({ signature: `${i}`.padStart(16, '0'), template, level: 'info', count: 1 })
    }
    const { patterns } = mergeTemplates(input)
    expect(patterns).toHaveLength(500)
    expect(patterns.every((p) => p.members.length === 20 && p.template.includes('item <*> done'))).toBe(true)
  })

  it('splits 200,000 format-string templates of one length without overflowing the stack', () => {
    // Each template's number is a constant (never merged): one split yields 200,000 parts at once.
    const input: TemplateEntry[] = []
    for (let i = 0; i < 200_000; i++) {
      input.push({ signature: `${i}`.padStart(16, '0'), template: `job ${i} done`, level: 'info', count: 1 })
    }
    const { patterns } = mergeTemplates(input)
    expect(patterns).toHaveLength(0)
  }, 60_000)
})
