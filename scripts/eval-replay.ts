// `pnpm eval:replay [dir]`: signal kept per byte, Logsieve vs uniform random sampling at the same kept
// bytes. Replays the LogHub lines (looped, stretched into a daily-shaped traffic curve, plus injected
// errors, a burst and a brand-new pattern) through N simulated SDK instances (the real core sampler and
// stats table) against a real policy server on a real port, on a simulated clock.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { defaultLoghubDir } from './eval-signature.js'
import { LOGHUB_FULL_LINES, readLoghub } from './lib/loghub.js'
import { type Metrics, score } from './lib/replay-metrics.js'
import { type SimulationOptions, simulate } from './lib/replay-sim.js'

export interface ReplayRow {
  label: string
  metrics: Metrics
}

/** How the datasets share the traffic: each the same, or in proportion to the full LogHub datasets. */
export type Mix = 'equal' | 'volume'

export async function runReplay(
  dir: string,
  options: Omit<SimulationOptions, 'instances' | 'lines' | 'weights' | 'dbPath'> & {
    instances: number[]
    mix?: Mix
  },
): Promise<ReplayRow[]> {
  const datasets = readLoghub(dir)
  if (datasets.length === 0) throw new Error(`no LogHub datasets in ${dir}`)
  const lines = datasets.map((d) => d.lines)
  // A dataset the table does not know gets the median weight rather than none.
  const known = Object.values(LOGHUB_FULL_LINES).sort((a, b) => a - b)
  const median = known[Math.floor(known.length / 2)]!
  const weights =
    options.mix === 'volume' ? datasets.map((d) => LOGHUB_FULL_LINES[d.name] ?? median) : undefined
  const rows: ReplayRow[] = []
  for (const n of options.instances) {
    const tmp = mkdtempSync(join(tmpdir(), 'logsieve-replay-'))
    try {
      const run = await simulate({ ...options, lines, weights, instances: n, dbPath: join(tmp, 'replay.db') })
      rows.push({ label: `Logsieve, ${n} instance${n > 1 ? 's' : ''}`, metrics: score(run.logsieve, run) })
      rows.push({ label: `uniform, same bytes (${n})`, metrics: score(run.uniform, run) })
    } finally {
      rmSync(tmp, { recursive: true, force: true })
    }
  }
  return rows
}

export function formatTable(rows: ReplayRow[], budgetBytesPerDay: number): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`
  const out = [
    `budget ${(budgetBytesPerDay / 1e9).toFixed(2)} GB/day`,
    '',
    '| run | bytes cut | warn+ kept | pattern coverage | kept bytes vs budget | count error median / p90 | new pattern ruled after |',
    '|---|---|---|---|---|---|---|',
  ]
  for (const { label, metrics: m } of rows) {
    const vs = m.keptBytesPerDay / budgetBytesPerDay - 1
    const ruled = m.newPatternRuledAfterS === undefined ? 'n/a' : `${m.newPatternRuledAfterS.toFixed(0)} s`
    out.push(
      `| ${label} | ${pct(m.bytesCut)} | ${pct(m.warnKept)} | ${pct(m.coverage)} | ${vs >= 0 ? '+' : ''}${pct(vs)} | ${pct(m.countErrorMedian)} / ${pct(m.countErrorP90)} | ${ruled} |`,
    )
  }
  return out.join('\n')
}

/** What a Logsieve run must reach; `--check` turns a miss into a failing exit code. */
export interface ReplayTargets {
  minCut: number
  minCoverage: number
  /** Largest |kept bytes / budget - 1|. */
  maxBudgetError: number
  maxCountError: number
  /** Every warn+ line kept, and a new pattern ruled within one stats interval: always required. */
  intervalS: number
}

export const DEFAULT_TARGETS: Omit<ReplayTargets, 'intervalS'> = {
  minCut: 0.9,
  minCoverage: 1,
  maxBudgetError: 0.1,
  maxCountError: 0.05,
}

/** The targets checked for each Logsieve row: a line per run that says which are met, and whether all were. */
export function checkTargets(rows: ReplayRow[], t: ReplayTargets): { text: string; met: boolean } {
  const out: string[] = []
  let met = true
  const pct = (x: number) => `${+(100 * x).toFixed(1)}%`
  for (const { label, metrics: m } of rows) {
    if (!label.startsWith('Logsieve')) continue
    const vs = m.keptBytesPerDay / m.budgetBytesPerDay - 1
    const checks: Array<[string, boolean]> = [
      [`cut ≥ ${pct(t.minCut)}`, m.bytesCut >= t.minCut],
      ['warn+ 100%', m.warnKept === 1],
      [`coverage ≥ ${pct(t.minCoverage)}`, m.coverage >= t.minCoverage],
      [`budget ±${pct(t.maxBudgetError)}`, Math.abs(vs) <= t.maxBudgetError],
      [`counts ≤ ${pct(t.maxCountError)}`, m.countErrorMedian <= t.maxCountError],
      [
        `ruled ≤ ${t.intervalS} s`,
        m.newPatternRuledAfterS !== undefined && m.newPatternRuledAfterS <= t.intervalS,
      ],
    ]
    if (checks.some(([, ok]) => !ok)) met = false
    out.push(`${label}: ${checks.map(([name, ok]) => `${name} ${ok ? 'met' : 'MISSED'}`).join(', ')}`)
  }
  return { text: out.join('\n'), met }
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      instances: { type: 'string', default: '1,20' },
      minutes: { type: 'string', default: '30' },
      rate: { type: 'string', default: '400' },
      keep: { type: 'string', default: '0.1' },
      mix: { type: 'string', default: 'volume' },
      interval: { type: 'string', default: '30' },
      seed: { type: 'string', default: '42' },
      check: { type: 'boolean', default: false },
      'min-cut': { type: 'string', default: String(DEFAULT_TARGETS.minCut) },
      'min-coverage': { type: 'string', default: String(DEFAULT_TARGETS.minCoverage) },
      'max-budget-error': { type: 'string', default: String(DEFAULT_TARGETS.maxBudgetError) },
      'max-count-error': { type: 'string', default: String(DEFAULT_TARGETS.maxCountError) },
    },
  })
  const dir = resolve(positionals[0] ?? defaultLoghubDir)
  const instances = values.instances.split(',').map(Number)
  const minutes = Number(values.minutes)
  const linesPerSecond = Number(values.rate)
  const keepFraction = Number(values.keep)
  const intervalS = Number(values.interval)
  const seed = Number(values.seed)
  const mix = values.mix as Mix
  if (mix !== 'equal' && mix !== 'volume') throw new Error(`--mix must be equal or volume, not ${mix}`)
  const started = Date.now()
  const rows = await runReplay(dir, {
    instances,
    minutes,
    linesPerSecond,
    keepFraction,
    intervalS,
    seed,
    mix,
  })
  const budget = rows[0]!.metrics.budgetBytesPerDay
  console.log(
    `Replay of ${dir} (${mix} mix): ${minutes} simulated minutes, ~${linesPerSecond} lines/s, budget ${keepFraction} of raw bytes, stats every ${intervalS} s`,
  )
  console.log(formatTable(rows, budget))
  const targets = checkTargets(rows, {
    minCut: Number(values['min-cut']),
    minCoverage: Number(values['min-coverage']),
    maxBudgetError: Number(values['max-budget-error']),
    maxCountError: Number(values['max-count-error']),
    intervalS,
  })
  console.log(`\n${targets.text}`)
  console.log(`\n(${((Date.now() - started) / 1000).toFixed(1)} s)`)
  if (values.check && !targets.met) {
    console.error('eval:replay: a target was missed (--check)')
    process.exitCode = 1
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main()
