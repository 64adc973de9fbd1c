// What changed between two policies: the server's diff route, `PUT` dry runs and the CLI's `policy diff`
// all answer with this, so "changed" means one thing everywhere.
import { patternKey } from './keys.js'
import type { Policy, Projection, Rule } from './schema.js'
import type { LevelName } from './severity.js'

/** A rule added, removed or changed; `from`/`to` are the rule before and after (absent when added/removed). */
export interface RuleChange {
  signature: string
  level?: LevelName
  template?: string
  from?: Rule
  to?: Rule
}

export interface PolicyDiff {
  /** Versions compared (undefined for a policy that has none yet, such as a file). */
  from: number | undefined
  to: number | undefined
  /** Changed settings by path (`refreshSeconds`, `defaults.levels.debug`, `defaults.newPattern`, …). */
  settings: Array<{ path: string; from: unknown; to: unknown }>
  added: RuleChange[]
  removed: RuleChange[]
  /** Rules of one (signature, level) whose rate, maxPerSecond, expiresAt or reason differ. */
  changed: RuleChange[]
  projection: { from: Projection | undefined; to: Projection | undefined }
}

/** What a diff reads of a policy: a file's policy has no version or projection yet. */
export type DiffablePolicy = Pick<Policy, 'rules' | 'defaults' | 'refreshSeconds'> &
  Partial<Pick<Policy, 'version' | 'projection'>>

/** The fields of a rule that change what SDKs do with it, or why it is there. */
const ruleDiffers = (a: Rule, b: Rule): boolean =>
  a.rate !== b.rate ||
  a.maxPerSecond !== b.maxPerSecond ||
  a.expiresAt !== b.expiresAt ||
  a.reason !== b.reason

function change(a: Rule | undefined, b: Rule | undefined): RuleChange {
  const r = (b ?? a) as Rule
  const c: RuleChange = { signature: r.signature }
  if (r.level !== undefined) c.level = r.level
  const template = b?.template ?? a?.template
  if (template !== undefined) c.template = template
  if (a) c.from = a
  if (b) c.to = b
  return c
}

/**
 * The difference from policy `a` to policy `b`: changed settings, then rules added, removed and changed
 * (a rule is identified by signature and level).
 *
 * @example
 * const d = diffPolicies(v1, v2)
 * d.changed.map((c) => `${c.signature}: ${c.from?.rate} → ${c.to?.rate}`)
 */
export function diffPolicies(a: DiffablePolicy, b: DiffablePolicy): PolicyDiff {
  const settings: PolicyDiff['settings'] = []
  const compare = (path: string, x: unknown, y: unknown) => {
    if (JSON.stringify(x) !== JSON.stringify(y)) settings.push({ path, from: x, to: y })
  }
  compare('refreshSeconds', a.refreshSeconds, b.refreshSeconds)
  const levels = new Set([...Object.keys(a.defaults.levels), ...Object.keys(b.defaults.levels)])
  for (const level of [...levels].sort() as LevelName[]) {
    compare(`defaults.levels.${level}`, a.defaults.levels[level], b.defaults.levels[level])
  }
  compare('defaults.newPattern', a.defaults.newPattern, b.defaults.newPattern)
  compare('defaults.alwaysKeep', [...a.defaults.alwaysKeep].sort(), [...b.defaults.alwaysKeep].sort())
  compare('defaults.floorPerMinute', a.defaults.floorPerMinute, b.defaults.floorPerMinute)

  const key = (r: Rule) => patternKey(r.signature, r.level)
  const before = new Map(a.rules.map((r) => [key(r), r]))
  const after = new Map(b.rules.map((r) => [key(r), r]))
  const diff: PolicyDiff = {
    from: a.version,
    to: b.version,
    settings,
    added: [],
    removed: [],
    changed: [],
    projection: { from: a.projection, to: b.projection },
  }
  for (const [k, r] of after) {
    const old = before.get(k)
    if (old === undefined) diff.added.push(change(undefined, r))
    else if (ruleDiffers(old, r)) diff.changed.push(change(old, r))
  }
  for (const [k, r] of before) if (!after.has(k)) diff.removed.push(change(r, undefined))
  return diff
}

/** True when nothing differs (projections aside). */
export function isEmptyDiff(d: PolicyDiff): boolean {
  return d.settings.length + d.added.length + d.removed.length + d.changed.length === 0
}
