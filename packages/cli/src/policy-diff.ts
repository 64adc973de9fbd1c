// A readable diff between two policies: what CI posts on a pull request before a policy is applied.
import type { Policy, Rule } from '@logsieve/core'
import { formatRate } from './units.js'

export interface RuleChange {
  signature: string
  level: string | undefined
  template: string | undefined
  from: Rule | undefined
  to: Rule | undefined
}

export interface PolicyDiff {
  /** `defaults.levels.debug`, `refreshSeconds`, … with old and new values. */
  settings: Array<{ path: string; from: unknown; to: unknown }>
  added: RuleChange[]
  removed: RuleChange[]
  changed: RuleChange[]
}

type Comparable = Pick<Policy, 'rules' | 'defaults' | 'refreshSeconds'>

export function diffPolicies(from: Comparable, to: Comparable): PolicyDiff {
  const settings: PolicyDiff['settings'] = []
  const compare = (path: string, a: unknown, b: unknown) => {
    if (JSON.stringify(a) !== JSON.stringify(b)) settings.push({ path, from: a, to: b })
  }
  compare('refreshSeconds', from.refreshSeconds, to.refreshSeconds)
  const levels = new Set([...Object.keys(from.defaults.levels), ...Object.keys(to.defaults.levels)])
  for (const level of [...levels].sort()) {
    compare(
      `defaults.levels.${level}`,
      from.defaults.levels[level as keyof Policy['defaults']['levels']],
      to.defaults.levels[level as keyof Policy['defaults']['levels']],
    )
  }
  compare('defaults.newPattern', from.defaults.newPattern, to.defaults.newPattern)
  compare('defaults.alwaysKeep', [...from.defaults.alwaysKeep].sort(), [...to.defaults.alwaysKeep].sort())
  compare('defaults.floorPerMinute', from.defaults.floorPerMinute, to.defaults.floorPerMinute)

  const key = (r: Rule) => `${r.signature}:${r.level ?? '*'}`
  const before = new Map(from.rules.map((r) => [key(r), r]))
  const after = new Map(to.rules.map((r) => [key(r), r]))
  const diff: PolicyDiff = { settings, added: [], removed: [], changed: [] }
  const change = (a: Rule | undefined, b: Rule | undefined): RuleChange => {
    const r = (b ?? a)!
    return { signature: r.signature, level: r.level, template: b?.template ?? a?.template, from: a, to: b }
  }
  for (const [k, b] of after) {
    const a = before.get(k)
    if (!a) diff.added.push(change(undefined, b))
    else if (a.rate !== b.rate || a.maxPerSecond !== b.maxPerSecond || a.expiresAt !== b.expiresAt) {
      diff.changed.push(change(a, b))
    }
  }
  for (const [k, a] of before) if (!after.has(k)) diff.removed.push(change(a, undefined))
  return diff
}

export function isEmptyDiff(d: PolicyDiff): boolean {
  return d.settings.length + d.added.length + d.removed.length + d.changed.length === 0
}

/** Unified-diff-like text (`+`, `-`, `~` lines): renders as colored diff in a ```diff block on GitHub. */
export function renderDiff(d: PolicyDiff): string {
  if (isEmptyDiff(d)) return 'no changes\n'
  const lines: string[] = []
  const show = (v: unknown) => (typeof v === 'number' ? formatRate(v) : (JSON.stringify(v) ?? 'unset'))
  for (const s of d.settings) lines.push(`~ ${s.path}: ${show(s.from)} -> ${show(s.to)}`)
  const describe = (c: RuleChange) =>
    `${c.signature} ${(c.level ?? '*').padEnd(5)}${c.template ? `  ${c.template.slice(0, 80)}` : ''}`
  const rule = (r: Rule) =>
    `rate ${formatRate(r.rate)}${r.maxPerSecond ? ` max ${r.maxPerSecond}/s` : ''} (${r.reason})`
  for (const c of d.added) lines.push(`+ ${describe(c)}  ${rule(c.to!)}`)
  for (const c of d.removed) lines.push(`- ${describe(c)}  ${rule(c.from!)}`)
  for (const c of d.changed) lines.push(`~ ${describe(c)}  ${rule(c.from!)} -> ${rule(c.to!)}`)
  lines.push(
    `${d.added.length} added, ${d.removed.length} removed, ${d.changed.length} changed, ${d.settings.length} defaults changed`,
  )
  return `${lines.join('\n')}\n`
}
