// `pnpm eval:signature [dir]`: grouping accuracy (GA) of computeSignature on the LogHub-2k datasets in
// `dir` (default ../shared/data/loghub next to the repo), against the labelled EventIds, with the
// digit-masking baseline beside it. GA is defined in that folder's README.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { hash64Hex } from '../packages/core/src/hash.js'
import { mergeTemplates, type TemplateEntry } from '../packages/core/src/pattern-merge.js'
import { normalizeLevel } from '../packages/core/src/severity.js'
import { computeSignature, maskMessage } from '../packages/core/src/signature.js'

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..')
export const defaultLoghubDir = resolve(repoRoot, '../shared/data/loghub')

/** RFC 4180 CSV: quoted fields may hold commas, newlines and doubled quotes. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"'
          i++
        } else quoted = false
      } else field += c
    } else if (c === '"') quoted = true
    else if (c === ',') {
      row.push(field)
      field = ''
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++
      row.push(field)
      rows.push(row)
      row = []
      field = ''
    } else field += c
  }
  if (field !== '' || row.length > 0) {
    row.push(field)
    rows.push(row)
  }
  return rows
}

/** GA: share of lines whose predicted group is exactly their true group (as a set of lines). */
export function groupingAccuracy(predicted: readonly string[], truth: readonly string[]): number {
  if (predicted.length === 0) return 0
  // A predicted group coincides with a true group iff all its lines carry one true id and that id's
  // group has the same size.
  const truthSize = new Map<string, number>()
  for (const t of truth) truthSize.set(t, (truthSize.get(t) ?? 0) + 1)
  const groups = new Map<string, { size: number; truth: string | null }>()
  predicted.forEach((p, i) => {
    const t = truth[i]!
    const g = groups.get(p)
    if (g === undefined) groups.set(p, { size: 1, truth: t })
    else {
      g.size++
      if (g.truth !== t) g.truth = null
    }
  })
  let correct = 0
  for (const g of groups.values())
    if (g.truth !== null && truthSize.get(g.truth) === g.size) correct += g.size
  return correct / predicted.length
}

/** Baseline: every whitespace-separated token containing a digit becomes <*>. */
export function digitMask(message: string): string {
  return message
    .split(/\s+/)
    .map((t) => (/\d/.test(t) ? '<*>' : t))
    .join(' ')
}

export interface DatasetScore {
  name: string
  lines: number
  templates: number
  ga: number
  /** GA after pattern merging of the dataset's templates (as the server merges a service's). */
  merged: number
  /** Patterns merging made (each of two or more signatures). */
  patterns: number
  baseline: number
  /** Microseconds per line to mask and hash a message, without the caches (best of a few passes). */
  us: number
}

export function evaluateDataset(dir: string, name: string): DatasetScore | undefined {
  const file = join(dir, name, `${name}_2k.log_structured_corrected.csv`)
  if (!existsSync(file)) return undefined
  const [header, ...rows] = parseCsv(readFileSync(file, 'utf8'))
  const content = header!.indexOf('Content')
  const eventId = header!.indexOf('EventId')
  const lines = rows.filter((r) => r.length === header!.length)
  const truth = lines.map((r) => r[eventId]!)
  const messages = lines.map((r) => r[content]!)
  const levelColumn = header!.indexOf('Level')
  const levels = lines.map((r) => normalizeLevel(levelColumn >= 0 ? r[levelColumn] : 'info'))
  const results = messages.map((m) => computeSignature(m))
  const signatures = results.map((r) => r.signature)
  const ga = groupingAccuracy(signatures, truth)
  const entries = new Map<string, TemplateEntry>()
  results.forEach((r, i) => {
    const key = `${r.signature}:${levels[i]}`
    const entry = entries.get(key)
    if (entry) entry.count++
    else entries.set(key, { signature: r.signature, template: r.template, level: levels[i]!, count: 1 })
  })
  const merge = mergeTemplates([...entries.values()])
  const merged = groupingAccuracy(
    results.map((r, i) => merge.patternOf(r.signature, levels[i]!)?.id ?? `${r.signature}:${levels[i]}`),
    truth,
  )
  const baseline = groupingAccuracy(messages.map(digitMask), truth)
  return {
    name,
    lines: lines.length,
    templates: new Set(truth).size,
    ga,
    merged,
    patterns: merge.patterns.length,
    baseline,
    us: timeUncached(messages),
  }
}

/** Best of ten passes (the first ones warm the JIT), in microseconds per message. */
function timeUncached(messages: readonly string[]): number {
  let best = Number.POSITIVE_INFINITY
  let sink = 0
  for (let pass = 0; pass < 10; pass++) {
    const start = performance.now()
    for (const m of messages) sink += hash64Hex(maskMessage(m)).length
    best = Math.min(best, performance.now() - start)
  }
  return sink > 0 ? (best * 1000) / messages.length : 0
}

export function evaluateAll(dir: string): DatasetScore[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => evaluateDataset(dir, d.name))
    .filter((s): s is DatasetScore => s !== undefined)
    .sort((a, b) => a.name.localeCompare(b.name))
}

/** How far below digit masking one dataset may fall before the eval fails (no system left behind). */
export const BASELINE_SLACK = 0.06

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { 'min-ga': { type: 'string' }, 'min-merged-ga': { type: 'string' } },
  })
  const dir = resolve(positionals[0] ?? defaultLoghubDir)
  const scores = existsSync(dir) ? evaluateAll(dir) : []
  if (scores.length === 0) {
    console.error(`no LogHub datasets (<Name>/<Name>_2k.log_structured_corrected.csv) in ${dir}`)
    process.exitCode = 1
    return
  }
  const f = (x: number) => x.toFixed(3)
  console.log(`Grouping accuracy on ${dir}\n`)
  console.log(
    '| dataset | lines | templates | signature GA | merged GA (patterns) | digit-masking GA | signature µs/line (uncached) |',
  )
  console.log('|---|---|---|---|---|---|---|')
  for (const s of scores)
    console.log(
      `| ${s.name} | ${s.lines} | ${s.templates} | ${f(s.ga)} | ${f(s.merged)} (${s.patterns}) | ${f(s.baseline)} | ${s.us.toFixed(2)} |`,
    )
  const avg = (k: 'ga' | 'merged' | 'baseline') => scores.reduce((a, s) => a + s[k], 0) / scores.length
  const us = scores.reduce((a, s) => a + s.us, 0) / scores.length
  console.log(
    `| **average** | | | **${f(avg('ga'))}** | **${f(avg('merged'))}** | ${f(avg('baseline'))} | ${us.toFixed(2)} |`,
  )
  const failures: string[] = []
  const minGa = values['min-ga'] === undefined ? undefined : Number(values['min-ga'])
  if (minGa !== undefined && !(avg('ga') >= minGa))
    failures.push(`average GA ${f(avg('ga'))} < --min-ga ${minGa}`)
  const minMerged = values['min-merged-ga'] === undefined ? undefined : Number(values['min-merged-ga'])
  if (minMerged !== undefined && !(avg('merged') >= minMerged))
    failures.push(`average merged GA ${f(avg('merged'))} < --min-merged-ga ${minMerged}`)
  for (const s of scores)
    if (s.ga < s.baseline - BASELINE_SLACK)
      failures.push(`${s.name}: GA ${f(s.ga)} is more than ${BASELINE_SLACK} below digit masking`)
  for (const failure of failures) console.error(`FAIL ${failure}`)
  if (failures.length > 0) process.exitCode = 1
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main()
