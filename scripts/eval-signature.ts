// `pnpm eval:signature [dir]`: grouping accuracy (GA) of computeSignature on the LogHub-2k datasets in
// `dir` (default ../shared/data/loghub next to the repo), against the labelled EventIds, with the
// digit-masking baseline beside it. GA is defined in that folder's README.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { computeSignature } from '../packages/core/src/signature.js'

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
  baseline: number
}

export function evaluateDataset(dir: string, name: string): DatasetScore | undefined {
  const file = join(dir, name, `${name}_2k.log_structured_corrected.csv`)
  if (!existsSync(file)) return undefined
  const [header, ...rows] = parseCsv(readFileSync(file, 'utf8'))
  const content = header!.indexOf('Content')
  const eventId = header!.indexOf('EventId')
  const lines = rows.filter((r) => r.length === header!.length)
  const truth = lines.map((r) => r[eventId]!)
  const ga = groupingAccuracy(
    lines.map((r) => computeSignature(r[content]!).signature),
    truth,
  )
  const baseline = groupingAccuracy(
    lines.map((r) => digitMask(r[content]!)),
    truth,
  )
  return { name, lines: lines.length, templates: new Set(truth).size, ga, baseline }
}

export function evaluateAll(dir: string): DatasetScore[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => evaluateDataset(dir, d.name))
    .filter((s): s is DatasetScore => s !== undefined)
    .sort((a, b) => a.name.localeCompare(b.name))
}

function main(): void {
  const dir = resolve(process.argv[2] ?? defaultLoghubDir)
  const scores = existsSync(dir) ? evaluateAll(dir) : []
  if (scores.length === 0) {
    console.error(`no LogHub datasets (<Name>/<Name>_2k.log_structured_corrected.csv) in ${dir}`)
    process.exitCode = 1
    return
  }
  const f = (x: number) => x.toFixed(3)
  console.log(`Grouping accuracy on ${dir}\n`)
  console.log('| dataset | lines | templates | signature GA | digit-masking GA |')
  console.log('|---|---|---|---|---|')
  for (const s of scores)
    console.log(`| ${s.name} | ${s.lines} | ${s.templates} | ${f(s.ga)} | ${f(s.baseline)} |`)
  const avg = (k: 'ga' | 'baseline') => scores.reduce((a, s) => a + s[k], 0) / scores.length
  console.log(`| **average** | | | **${f(avg('ga'))}** | ${f(avg('baseline'))} |`)
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main()
