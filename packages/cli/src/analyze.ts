// Offline analysis: stream a log file, group lines by signature, and run the server's own generator on
// what was seen, so "what would this save on my logs?" is answered by the code that will decide it.
import {
  type Budget,
  computeSignature,
  effectiveRate,
  type GeneratedPolicy,
  generatePolicy,
  type LevelName,
  MAX_TEMPLATE_LENGTH,
  mergeTemplates,
  type PatternObservation,
  type Policy,
  parseSettings,
  patternKey,
} from '@logsieve/core'
import { type Outcome, outcomeOf } from './analyze-outcome.js'
import { CliError, EXIT } from './errors.js'
import { type LineFormat, parseLine } from './line-parse.js'
import { type ReadLinesResult, readLines } from './line-reader.js'

export interface AnalyzeOptions {
  format?: LineFormat
  budget?: Budget | null
  /** Seconds of traffic the input represents. @default the span of its timestamps, else one day */
  windowSeconds?: number
  /** Distinct (signature, level) rows kept; the rest are summed as overflow. @default 20_000 */
  maxPatterns?: number
  /** @default 0.5 */
  costPerGB?: number
  /** Coverage floor, lines per minute per pattern. @default 1 */
  floorPerMinute?: number
  service?: string
  onProgress?: (bytesRead: number, lines: number) => void
}

export interface PatternSummary {
  signature: string
  level: LevelName
  template: string
  count: number
  bytes: number
  example: string
  /** Rate the generated policy gives this pattern. */
  rate: number
  /** Why: the rule's reason (`budget`, `floor`: the coverage floor carries it, `level`: never sampled). */
  reason: string
}

/** Signatures of one statement merged into a pattern (as the server merges them). */
export interface MergedPatternSummary {
  id: string
  level: LevelName
  template: string
  /** Member signatures (each also listed in `patterns`). */
  members: string[]
  reason: string
  count: number
  bytes: number
}

export interface AnalysisWindow {
  seconds: number
  source: 'timestamps' | 'option' | 'assumed'
  /** Why a window was assumed: no line had a timestamp, or they all fall within one second. */
  assumedBecause?: 'no-timestamps' | 'under-a-second'
  start?: string
  end?: string
}

export interface AnalysisReport {
  input: ReadLinesResult & { jsonLines: number; textLines: number; timedLines: number }
  window: AnalysisWindow
  patterns: PatternSummary[]
  distinctPatterns: number
  /** Patterns of two or more signatures, by bytes; `distinctPatterns - Σ(members - 1)` statements remain. */
  merged: MergedPatternSummary[]
  overflow: { count: number; bytes: number }
  generated: GeneratedPolicy
  /** Before and after, per day and for this file: one computation (see analyze-outcome.ts). */
  outcome: Outcome
  /** Written bytes of the input the policy would keep (outcome.file.after.bytes). */
  keptBytes: number
  /** Lines of the input the policy would keep, coverage floor included (outcome.file.after.lines). */
  keptLines: number
}

const EXAMPLE_CHARS = 300
const DAY = 86_400

type Row = Omit<PatternSummary, 'rate' | 'reason'>

/** Analyze a stream of log lines. Memory is bounded by maxPatterns, not by the input size. */
export async function analyzeStream(
  source: AsyncIterable<Buffer | string>,
  options?: AnalyzeOptions,
): Promise<AnalysisReport> {
  const format = options?.format ?? 'auto'
  const maxPatterns = options?.maxPatterns ?? 20_000
  const rows = new Map<string, Row>()
  const overflow = { count: 0, bytes: 0 }
  let jsonLines = 0
  let timedLines = 0
  let minTime = Number.POSITIVE_INFINITY
  let maxTime = Number.NEGATIVE_INFINITY
  let lines = 0

  const onLine = (text: string, bytes: number) => {
    lines++
    const parsed = parseLine(text, format)
    if (parsed.json) jsonLines++
    if (parsed.time !== undefined) {
      timedLines++
      if (parsed.time < minTime) minTime = parsed.time
      if (parsed.time > maxTime) maxTime = parsed.time
    }
    const { signature, template } = computeSignature(parsed.message)
    const key = patternKey(signature, parsed.level)
    const row = rows.get(key)
    if (row) {
      row.count++
      row.bytes += bytes
    } else if (rows.size < maxPatterns) {
      const example = text.length > EXAMPLE_CHARS ? `${copy(text.slice(0, EXAMPLE_CHARS))}…` : text
      rows.set(key, {
        signature,
        level: parsed.level,
        template: copy(template.slice(0, MAX_TEMPLATE_LENGTH)),
        count: 1,
        bytes,
        example,
      })
    } else {
      overflow.count++
      overflow.bytes += bytes
    }
  }

  const onProgress = options?.onProgress
  const input = await readLines(source, onLine, onProgress && { onProgress: (b) => onProgress(b, lines) })
  if (input.lines === 0) throw new CliError(EXIT.input, 'the input has no log lines')

  const window = measureWindow(options?.windowSeconds, timedLines, minTime, maxTime)
  const settings = parseSettings({
    budget: options?.budget ?? null,
    ...(options?.costPerGB !== undefined && { costPerGB: options.costPerGB }),
    ...(options?.floorPerMinute !== undefined && { floorPerMinute: options.floorPerMinute }),
  })
  if (!settings.ok) throw new CliError(EXIT.usage, settings.error.message)

  const now = Date.now()
  const patterns: PatternObservation[] = []
  for (const row of rows.values()) {
    patterns.push({
      signature: row.signature,
      level: row.level,
      template: row.template,
      eventsPerSecond: row.count / window.seconds,
      bytesPerEvent: row.bytes / row.count,
      // Everything in the file is an established pattern: no "new pattern" boosts offline.
      firstSeen: 0,
    })
  }
  const service = options?.service ?? 'analyze'
  const generated = generatePolicy({
    service,
    environment: 'default',
    patterns,
    settings: settings.value,
    now,
  })

  const summaries: PatternSummary[] = []
  const reasons = new Map(generated.policy.rules.map((r) => [patternKey(r.signature, r.level), r.reason]))
  const rateFor = createRateLookup(generated.policy)
  let alwaysKeptBytes = 0
  for (const row of rows.values()) {
    const reason = reasons.get(patternKey(row.signature, row.level)) ?? 'default'
    if (reason === 'level') alwaysKeptBytes += row.bytes
    summaries.push({ ...row, rate: rateFor(row.signature, row.level), reason })
  }
  const budget = settings.value.budget
  const eventsBudget = budget && 'eventsPerSecond' in budget ? budget : undefined
  const outcome = outcomeOf({
    generated,
    windowSeconds: window.seconds,
    overflow: { bytes: overflow.bytes, lines: overflow.count },
    alwaysKeptBytes,
    floorPerMinute: settings.value.floorPerMinute,
    ...(eventsBudget && { budgetEventsPerSecond: eventsBudget.eventsPerSecond }),
  })
  summaries.sort((a, b) => b.bytes - a.bytes || b.count - a.count)
  const merged = mergeRows([...rows.values()])

  return {
    input: { ...input, jsonLines, textLines: input.lines - jsonLines, timedLines },
    window,
    patterns: summaries,
    distinctPatterns: rows.size,
    merged,
    overflow,
    generated,
    outcome,
    keptBytes: outcome.file.after.bytes,
    keptLines: outcome.file.after.lines,
  }
}

/** The merged patterns of the rows, with their members' lines and bytes summed, by bytes. */
function mergeRows(rows: Row[]): MergedPatternSummary[] {
  const { patterns } = mergeTemplates(rows)
  const byKey = new Map(rows.map((r) => [patternKey(r.signature, r.level), r]))
  return patterns
    .map((p) => {
      let count = 0
      let bytes = 0
      for (const m of p.members) {
        const row = byKey.get(patternKey(m, p.level))
        count += row?.count ?? 0
        bytes += row?.bytes ?? 0
      }
      return {
        id: p.id,
        level: p.level,
        template: p.template,
        members: p.members,
        reason: p.reason,
        count,
        bytes,
      }
    })
    .sort((a, b) => b.bytes - a.bytes)
}

/**
 * A flat copy of a string. Slices of a line (templates, examples) would otherwise keep the whole line,
 * up to 64 KB, alive for as long as the pattern row: 20,000 rows of that is gigabytes.
 */
function copy(text: string): string {
  return Buffer.from(text).toString()
}

function measureWindow(option: number | undefined, timed: number, min: number, max: number): AnalysisWindow {
  const span = timed > 0 ? { start: new Date(min).toISOString(), end: new Date(max).toISOString() } : {}
  if (option !== undefined) return { seconds: option, source: 'option', ...span }
  // Any timestamps give the window: lines without one (stack traces, continuation lines) lie between them.
  if (timed > 0 && max - min >= 1000) return { seconds: (max - min) / 1000, source: 'timestamps', ...span }
  const assumedBecause = timed > 0 ? 'under-a-second' : 'no-timestamps'
  return { seconds: DAY, source: 'assumed', assumedBecause, ...span }
}

/** The rate a policy gives a (signature, level): core's effectiveRate, the sampler's decision order. */
export function createRateLookup(
  policy: Pick<Policy, 'rules' | 'defaults'>,
): (signature: string, level: LevelName) => number {
  return (signature, level) => effectiveRate(policy, signature, level).rate
}
