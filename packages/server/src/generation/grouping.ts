// Pattern merging in a generation (docs/policy.md, "Patterns"): the service's signatures of one log
// statement are grouped with mergeTemplates, and the generator sees one observation per pattern (its
// members' summed rates), so rules, budgets, pins and hysteresis work per pattern id.
import {
  type LevelName,
  MAX_PATTERN_MEMBERS,
  MAX_POLICY_PATTERNS,
  MAX_TEMPLATE_LENGTH,
  type MergedPattern,
  mergeTemplates,
  type PatternObservation,
  type Pin,
  type Policy,
  type PolicyPattern,
} from '@logsieve/core'

export interface GroupingInput {
  observations: PatternObservation[]
  /** The previous policy: its patterns keep their ids and members. */
  previous: Pick<Policy, 'patterns' | 'rules'> | undefined
  /** Signature sets kept apart by an admin (a split pattern's members, a forbidden merge). */
  apart: readonly (readonly string[])[]
  /** Live pins: a pinned member keeps its own rule and is budgeted on its own. */
  pins: readonly Pin[]
}

export interface Grouped {
  /** One observation per pattern (signature = pattern id) plus every signature outside a pattern. */
  observations: PatternObservation[]
  /** The policy's patterns, loudest first, within the policy's bounds. */
  patterns: PolicyPattern[]
}

const key = (signature: string, level: string): string => `${level}\u0000${signature}`

/** Groups observations into patterns and folds each pattern's members into one observation. */
export function groupObservations(input: GroupingInput): Grouped {
  const { observations } = input
  const byKey = new Map<string, PatternObservation>()
  for (const o of observations) byKey.set(key(o.signature, o.level), o)
  const result = mergeTemplates(
    observations.map((o) => ({
      signature: o.signature,
      template: o.template ?? '',
      level: o.level,
      count: o.eventsPerSecond,
    })),
    { known: knownPatterns(input.previous, observations), apart: input.apart },
  )
  const pinned = (o: PatternObservation) =>
    input.pins.some((p) => p.signature === o.signature && (p.level === undefined || p.level === o.level))
  // Loudest groups first: those are the ones the bounds keep.
  const ranked = result.patterns
    .map((p) => {
      const members = p.members.flatMap((m) => byKey.get(key(m, p.level)) ?? [])
      return { p, members, volume: members.reduce((n, o) => n + o.eventsPerSecond * o.bytesPerEvent, 0) }
    })
    .filter((g) => g.members.length >= 2)
    .sort((a, b) => b.volume - a.volume || (a.p.id < b.p.id ? -1 : 1))

  const patterns: PolicyPattern[] = []
  const folded = new Set<PatternObservation>()
  const out: PatternObservation[] = []
  let memberCount = 0
  for (const { p, members } of ranked) {
    if (patterns.length >= MAX_POLICY_PATTERNS || memberCount + members.length > MAX_PATTERN_MEMBERS) continue
    memberCount += members.length
    patterns.push({
      id: p.id,
      members: members.map((o) => o.signature),
      template: p.template.slice(0, MAX_TEMPLATE_LENGTH),
      reason: p.reason.slice(0, 1024),
    })
    const budgeted = members.filter((o) => !pinned(o))
    for (const o of budgeted) folded.add(o)
    if (budgeted.length > 0) out.push(fold(p, budgeted))
  }
  for (const o of observations) if (!folded.has(o)) out.push(o)
  return { observations: out, patterns }
}

/** One observation for a pattern: summed rates, rate-weighted sizes and shares, earliest first sighting. */
function fold(p: MergedPattern, members: PatternObservation[]): PatternObservation {
  let eps = 0
  let bytes = 0
  let plain = 0
  let backfill = 0
  let firstSeen = Number.POSITIVE_INFINITY
  let anomaly: PatternObservation['anomaly']
  for (const o of members) {
    eps += o.eventsPerSecond
    bytes += o.eventsPerSecond * o.bytesPerEvent
    plain += o.eventsPerSecond * (o.plainBytesPerEvent ?? o.bytesPerEvent)
    backfill += o.eventsPerSecond * (o.backfillShare ?? 0)
    firstSeen = Math.min(firstSeen, o.firstSeen)
    anomaly ??= o.anomaly
  }
  const o: PatternObservation = {
    signature: p.id,
    level: p.level,
    template: p.template,
    eventsPerSecond: eps,
    bytesPerEvent: eps > 0 ? bytes / eps : (members[0]?.bytesPerEvent ?? 0),
    firstSeen,
  }
  if (eps > 0) o.plainBytesPerEvent = plain / eps
  if (eps > 0 && backfill > 0) o.backfillShare = backfill / eps
  if (anomaly) o.anomaly = anomaly
  return o
}

/** The previous policy's patterns with their level: the level of the pattern's rule, else of a member. */
function knownPatterns(
  previous: GroupingInput['previous'],
  observations: PatternObservation[],
): MergedPattern[] {
  if (!previous?.patterns?.length) return []
  const ruleLevel = new Map<string, LevelName>()
  for (const r of previous.rules ?? []) if (r.level) ruleLevel.set(r.signature, r.level)
  const memberLevel = new Map<string, LevelName>()
  for (const o of observations) memberLevel.set(o.signature, o.level)
  const known: MergedPattern[] = []
  for (const p of previous.patterns) {
    const level = ruleLevel.get(p.id) ?? p.members.map((m) => memberLevel.get(m)).find((l) => l !== undefined)
    if (level) known.push({ id: p.id, level, members: p.members, template: p.template, reason: p.reason })
  }
  return known
}
