// What changed between two policy versions: rules added, removed and changed, level defaults, projection.
import type { LevelName, Policy, Rule } from '@logsieve/core'

type RuleView = Pick<Rule, 'rate' | 'reason' | 'maxPerSecond'>

export interface PolicyDiff {
  from: number
  to: number
  added: Rule[]
  removed: Rule[]
  changed: Array<{ signature: string; level?: LevelName; template?: string; from: RuleView; to: RuleView }>
  defaults: Partial<Record<LevelName, { from: number | undefined; to: number | undefined }>>
  /** Set when the per-minute coverage floor changed. */
  floorPerMinute?: { from: number; to: number }
  projection: { from: Policy['projection']; to: Policy['projection'] }
}

const ruleKey = (r: Rule): string => `${r.signature}:${r.level ?? '*'}`
const view = (r: Rule): RuleView => {
  const v: RuleView = { rate: r.rate, reason: r.reason }
  if (r.maxPerSecond !== undefined) v.maxPerSecond = r.maxPerSecond
  return v
}

export function diffPolicies(a: Policy, b: Policy): PolicyDiff {
  const before = new Map(a.rules.map((r) => [ruleKey(r), r]))
  const after = new Map(b.rules.map((r) => [ruleKey(r), r]))
  const diff: PolicyDiff = {
    from: a.version,
    to: b.version,
    added: [],
    removed: [],
    changed: [],
    defaults: {},
    projection: { from: a.projection, to: b.projection },
  }
  for (const [k, r] of after) {
    const old = before.get(k)
    if (!old) diff.added.push(r)
    else if (old.rate !== r.rate || old.reason !== r.reason || old.maxPerSecond !== r.maxPerSecond) {
      const change: PolicyDiff['changed'][number] = { signature: r.signature, from: view(old), to: view(r) }
      if (r.level) change.level = r.level
      if (r.template ?? old.template) change.template = r.template ?? old.template
      diff.changed.push(change)
    }
  }
  for (const [k, r] of before) if (!after.has(k)) diff.removed.push(r)
  const levels = new Set([
    ...Object.keys(a.defaults.levels),
    ...Object.keys(b.defaults.levels),
  ] as LevelName[])
  for (const level of levels) {
    const from = a.defaults.levels[level]
    const to = b.defaults.levels[level]
    if (from !== to) diff.defaults[level] = { from, to }
  }
  if (a.defaults.floorPerMinute !== b.defaults.floorPerMinute) {
    diff.floorPerMinute = { from: a.defaults.floorPerMinute, to: b.defaults.floorPerMinute }
  }
  return diff
}

/**
 * The rate a policy gives a (signature, level), and why, as a lookup built once per policy: rules are
 * indexed by signature, so a page of 10,000 patterns under 10,000 rules is not 10^8 comparisons.
 */
export function rateLookup(
  policy: Policy,
): (signature: string, level: LevelName) => { rate: number; reason: string } {
  const bySignature = new Map<string, Rule[]>()
  for (const r of policy.rules) {
    const list = bySignature.get(r.signature)
    if (list) list.push(r)
    else bySignature.set(r.signature, [r])
  }
  return (signature, level) => {
    if (level === 'error' || level === 'fatal' || policy.defaults.alwaysKeep.includes(level)) {
      return { rate: 1, reason: 'level' }
    }
    let general: Rule | undefined
    for (const r of bySignature.get(signature) ?? []) {
      if (r.level === level) return { rate: r.rate, reason: r.reason }
      if (r.level === undefined) general = r
    }
    if (general) return { rate: general.rate, reason: general.reason }
    return { rate: policy.defaults.levels[level] ?? 1, reason: 'default' }
  }
}
