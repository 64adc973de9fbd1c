// A readable diff between two policies: what CI posts on a pull request before a policy is applied. The
// diff itself is core's diffPolicies, the one the server's diff route answers with.
import { isEmptyDiff, type PolicyDiff, type Rule, type RuleChange } from '@logsieve/core'
import { formatRate } from './units.js'

export { diffPolicies, isEmptyDiff, type PolicyDiff } from '@logsieve/core'

/** Unified-diff-like text (`+`, `-`, `~` lines): renders as colored diff in a ```diff block on GitHub. */
export function renderDiff(d: PolicyDiff): string {
  if (isEmptyDiff(d)) return 'no changes\n'
  const lines: string[] = []
  const show = (v: unknown) => (typeof v === 'number' ? formatRate(v) : (JSON.stringify(v) ?? 'unset'))
  for (const s of d.settings) lines.push(`~ ${s.path}: ${show(s.from)} -> ${show(s.to)}`)
  const describe = (c: RuleChange) =>
    `${c.signature} ${(c.level ?? '*').padEnd(5)}${c.template ? `  ${c.template.slice(0, 80)}` : ''}`
  const rule = (r: Rule) =>
    `rate ${formatRate(r.rate)}${r.maxPerSecond ? ` max ${r.maxPerSecond}/s` : ''}${r.expiresAt ? ` until ${r.expiresAt}` : ''} (${r.reason})`
  for (const c of d.added) lines.push(`+ ${describe(c)}  ${rule(c.to as Rule)}`)
  for (const c of d.removed) lines.push(`- ${describe(c)}  ${rule(c.from as Rule)}`)
  for (const c of d.changed) lines.push(`~ ${describe(c)}  ${rule(c.from as Rule)} -> ${rule(c.to as Rule)}`)
  lines.push(
    `${d.added.length} added, ${d.removed.length} removed, ${d.changed.length} changed, ${d.settings.length} defaults changed`,
  )
  return `${lines.join('\n')}\n`
}
