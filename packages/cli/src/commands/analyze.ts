// `logsieve analyze <file|->` and `logsieve signatures [file|-]`: offline, no server needed.
import { createReadStream, statSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { computeSignature, mergeTemplates, patternKey, type TemplateEntry } from '@logsieve/core'
import { type AnalysisReport, analyzeStream } from '../analyze.js'
import { int, num, parse, str } from '../args.js'
import { CliError, EXIT } from '../errors.js'
import type { LineFormat } from '../line-parse.js'
import { parseLine } from '../line-parse.js'
import { readLines } from '../line-reader.js'
import { fields, type Io, printJson, table } from '../output.js'
import { createProgress } from '../progress.js'
import { formatBytes, formatCount, formatPercent, formatRate, parseBudget, parseDuration } from '../units.js'

export const ANALYZE_HELP = `Usage: logsieve analyze <file|-> [options]

Group a log file's lines by signature and show what the generator would keep under a budget.

Options:
  --budget <b>        5GB/day, 500MB/h, 200/s (events); a bare size means per day
  --reduce <p>        target reduction of bytes, e.g. 90%
  --format <f>        auto | json | text (default auto, per line)
  --window <d>        time the file covers, e.g. 1h, 1d (default: its timestamps, else 1d)
  --top <n>           patterns to list (default 20)
  --cost-per-gb <$>   ingest price for cost projections (default 0.5)
  --floor <n>         lines per minute every pattern keeps (default 1)
  --max-patterns <n>  distinct patterns tracked; the rest are summed as overflow (default 20000)
  --policy-out <f>    write the generated policy (JSON) to a file
  --no-progress       no progress bar (there is none when stderr is not a terminal)
  --json              machine-readable report`

const ANALYZE_OPTIONS = {
  budget: { type: 'string' },
  reduce: { type: 'string' },
  format: { type: 'string' },
  window: { type: 'string' },
  top: { type: 'string' },
  'cost-per-gb': { type: 'string' },
  floor: { type: 'string' },
  'max-patterns': { type: 'string' },
  'policy-out': { type: 'string' },
  'no-progress': { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const

export async function analyzeCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, ANALYZE_OPTIONS, 'analyze')
  if (values.help) return help(io, ANALYZE_HELP)
  const file = positionals[0]
  if (!file)
    throw new CliError(EXIT.usage, 'analyze: give a file, or - for stdin (see: logsieve analyze --help)')
  if (values.budget && values.reduce)
    throw new CliError(EXIT.usage, 'analyze: give --budget or --reduce, not both')
  const budgetText = str(values, 'budget')
  const reduceText = str(values, 'reduce')
  const budget = budgetText
    ? parseBudget(budgetText, '--budget')
    : reduceText
      ? parseBudget(reduceText.endsWith('%') ? reduceText : `${reduceText}%`, '--reduce')
      : null
  const windowText = str(values, 'window')
  const { source, size } = openInput(file, io)
  const progress = io.isTTY && !values['no-progress'] && !values.json ? createProgress(io, size) : undefined
  const started = performance.now()
  const cpuStart = process.cpuUsage()
  let report: AnalysisReport
  try {
    report = await analyzeStream(source, {
      format: format(str(values, 'format')),
      budget,
      ...(windowText !== undefined && { windowSeconds: parseDuration(windowText, '--window') }),
      maxPatterns: int(values, 'max-patterns', 20_000)!,
      ...(num(values, 'cost-per-gb') !== undefined && { costPerGB: num(values, 'cost-per-gb')! }),
      ...(num(values, 'floor') !== undefined && { floorPerMinute: num(values, 'floor')! }),
      ...(progress && { onProgress: progress.update }),
    })
  } finally {
    progress?.done()
  }
  const elapsedMs = performance.now() - started
  const cpu = process.cpuUsage(cpuStart)
  const cpuSeconds = (cpu.user + cpu.system) / 1e6
  const policyOut = str(values, 'policy-out')
  if (policyOut) await writeFile(policyOut, `${JSON.stringify(report.generated.policy, null, 2)}\n`)
  const performanceStats = {
    elapsedMs: Math.round(elapsedMs),
    linesPerSecond: Math.round(report.input.lines / (elapsedMs / 1000)),
    bytesPerSecond: Math.round(report.input.bytes / (elapsedMs / 1000)),
    // CPU time of this process: the figure that does not depend on what else the machine is doing.
    cpuMs: Math.round(cpuSeconds * 1000),
    linesPerCpuSecond: Math.round(report.input.lines / cpuSeconds),
    // resourceUsage().maxRSS is in kilobytes.
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
  }
  const top = int(values, 'top', 20)!
  if (values.json) {
    printJson(io, { ...report, patterns: report.patterns.slice(0, top), performance: performanceStats })
  } else {
    io.out(renderReport(report, top, performanceStats))
  }
  return EXIT.ok
}

function renderReport(
  r: AnalysisReport,
  top: number,
  perf: { linesPerSecond: number; bytesPerSecond: number },
) {
  const p = r.generated.projection
  const { perDay, file } = r.outcome
  const totalBytes = r.input.bytes
  const summary = fields([
    [
      'lines',
      `${formatCount(r.input.lines)} (${formatCount(r.input.jsonLines)} JSON, ${formatCount(r.input.textLines)} text)`,
    ],
    ['bytes', formatBytes(totalBytes)],
    ['window', `${formatDuration(r.window.seconds)}${windowNote(r)}`],
    [
      'patterns',
      `${formatCount(r.distinctPatterns)}${r.overflow.count ? ` (+${formatCount(r.overflow.count)} lines over --max-patterns, counted as kept)` : ''}`,
    ],
    ['budget', budgetText(r.outcome)],
    [
      'per day',
      `${formatBytes(perDay.before.bytes)} → ${formatBytes(perDay.after.bytes)} (${change(perDay)})`,
    ],
    ...(p.costPerDayBefore !== undefined && p.costPerDayAfter !== undefined
      ? [['cost/day', `$${p.costPerDayBefore.toFixed(2)} → $${p.costPerDayAfter.toFixed(2)}`] as const]
      : []),
    [
      'this file',
      `${formatBytes(file.before.bytes)} → ${formatBytes(file.after.bytes)} (${change(file)}), ${formatCount(Math.round(file.after.lines))} of ${formatCount(Math.round(file.before.lines))} lines kept`,
    ],
    [
      'rules',
      `${r.generated.policy.rules.length} (water level ${formatCount(r.generated.cap)} events/s per pattern)`,
    ],
    ['speed', `${formatCount(perf.linesPerSecond)} lines/s, ${formatBytes(perf.bytesPerSecond)}/s`],
  ])
  const over = overBudgetNote(r)
  const warnings: string[] = []
  if (r.input.unterminatedLastLine)
    warnings.push('the last line has no newline (file cut short?): it was read as is')
  if (r.input.longLines) warnings.push(`${formatCount(r.input.longLines)} lines longer than 64 KB were cut`)
  const rows = r.patterns.slice(0, top)
  const patterns = table(rows, [
    { header: 'COUNT', value: (x) => formatCount(x.count), align: 'right' },
    { header: 'BYTES', value: (x) => formatBytes(x.bytes), align: 'right' },
    { header: 'SHARE', value: (x) => formatPercent(x.bytes / totalBytes), align: 'right' },
    { header: 'LEVEL', value: (x) => x.level },
    { header: 'RATE', value: (x) => formatRate(x.rate), align: 'right' },
    { header: 'WHY', value: (x) => x.reason },
    { header: 'SIGNATURE', value: (x) => x.signature },
    { header: 'TEMPLATE', value: (x) => x.template, max: 70 },
    { header: 'EXAMPLE', value: (x) => x.example, max: 60 },
  ])
  const mergedRows = r.merged.slice(0, top)
  const merged =
    r.merged.length === 0
      ? 'No signatures to merge: every pattern is one statement.\n'
      : `${formatCount(r.merged.reduce((a, m) => a + m.members.length, 0))} signatures are ${formatCount(r.merged.length)} merged patterns (one statement each); top ${mergedRows.length} by bytes:\n${table(
          mergedRows,
          [
            { header: 'COUNT', value: (x) => formatCount(x.count), align: 'right' },
            { header: 'BYTES', value: (x) => formatBytes(x.bytes), align: 'right' },
            { header: 'LEVEL', value: (x) => x.level },
            { header: 'MEMBERS', value: (x) => formatCount(x.members.length), align: 'right' },
            { header: 'PATTERN', value: (x) => x.id },
            { header: 'TEMPLATE', value: (x) => x.template, max: 70 },
          ],
        )}\n`
  return `${summary}\n${over}${warnings.map((w) => `warning: ${w}\n`).join('')}\nTop ${rows.length} of ${formatCount(r.distinctPatterns)} patterns by bytes:\n${patterns}\n\n${merged}`
}

export const SIGNATURES_HELP = `Usage: logsieve signatures [file|-] [--format auto|json|text] [--merge]

Print one line per input line: signature<TAB>template.

Options:
  --merge   read all lines first, merge the signatures of one statement into patterns (as the server
            does), then print pattern id<TAB>merged template per input line, in input order`

export async function signaturesCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(
    args,
    { format: { type: 'string' }, merge: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    'signatures',
  )
  if (values.help) return help(io, SIGNATURES_HELP)
  const lineFormat = format(str(values, 'format'))
  const { source } = openInput(positionals[0] ?? '-', io)
  if (values.merge) {
    io.out(await mergedSignatures(source, lineFormat))
    return EXIT.ok
  }
  // Batch writes: one io.out per line would dominate the cost on large inputs.
  let buffer = ''
  await readLines(source, (text) => {
    const { signature, template } = computeSignature(parseLine(text, lineFormat).message)
    buffer += `${signature}\t${template}\n`
    if (buffer.length > 65_536) {
      io.out(buffer)
      buffer = ''
    }
  })
  if (buffer) io.out(buffer)
  return EXIT.ok
}

/** `signatures --merge`: every line's (signature, level), merged once all are read, printed in order. */
async function mergedSignatures(
  source: AsyncIterable<Buffer | string>,
  lineFormat: LineFormat,
): Promise<string> {
  const entries: TemplateEntry[] = []
  const index = new Map<string, number>()
  let lines = new Int32Array(1024)
  let count = 0
  await readLines(source, (text) => {
    const parsed = parseLine(text, lineFormat)
    const { signature, template } = computeSignature(parsed.message)
    const key = patternKey(signature, parsed.level)
    let at = index.get(key)
    if (at === undefined) {
      at = entries.length
      index.set(key, at)
      entries.push({ signature, template, level: parsed.level, count: 0 })
    }
    entries[at]!.count++
    if (count === lines.length) {
      const grown = new Int32Array(lines.length * 2)
      grown.set(lines)
      lines = grown
    }
    lines[count++] = at
  })
  const { patternOf } = mergeTemplates(entries)
  const rendered = entries.map((e) => {
    const p = patternOf(e.signature, e.level)
    return p ? `${p.id}\t${p.template}\n` : `${e.signature}\t${e.template}\n`
  })
  const out: string[] = []
  for (let i = 0; i < count; i++) out.push(rendered[lines[i]!]!)
  return out.join('')
}

function openInput(
  file: string,
  io: Io,
): { source: AsyncIterable<Buffer | string>; size: number | undefined } {
  if (file === '-') return { source: io.stdin, size: undefined }
  let size: number
  try {
    const stat = statSync(file)
    if (stat.isDirectory()) throw new CliError(EXIT.input, `${file} is a directory, not a log file`)
    size = stat.size
  } catch (error) {
    if (error instanceof CliError) throw error
    throw new CliError(EXIT.input, `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`)
  }
  return { source: createReadStream(file, { highWaterMark: 256 * 1024 }), size }
}

function format(value: string | undefined): LineFormat {
  if (value === undefined || value === 'auto' || value === 'json' || value === 'text') return value ?? 'auto'
  throw new CliError(EXIT.usage, `--format: "${value}" is not one of auto, json, text`)
}

/** "90% less", "12% more" or "no change": plain bytes before, written bytes after. */
function change({ before, after }: { before: { bytes: number }; after: { bytes: number } }): string {
  if (!(before.bytes > 0) || Math.abs(after.bytes - before.bytes) < before.bytes * 5e-4) return 'no change'
  const cut = 1 - after.bytes / before.bytes
  return cut > 0 ? `${formatPercent(cut)} less` : `${formatPercent(-cut)} more`
}

function windowNote(r: AnalysisReport): string {
  const w = r.window
  if (w.source === 'option') return ' (--window)'
  if (w.source === 'timestamps') {
    const { timedLines, lines } = r.input
    return timedLines < lines
      ? ` (from the timestamps of ${formatCount(timedLines)} of ${formatCount(lines)} lines)`
      : ' (from the timestamps)'
  }
  return w.assumedBecause === 'under-a-second'
    ? ' (assumed: the timestamps all fall within one second; set --window)'
    : ' (assumed: no timestamps found; set --window)'
}

function budgetText({ budgetBytesPerDay, budgetEventsPerSecond }: AnalysisReport['outcome']): string {
  if (budgetBytesPerDay === null) return 'none'
  const bytes = `${formatBytes(budgetBytesPerDay)}/day`
  return budgetEventsPerSecond === undefined
    ? bytes
    : `${formatCount(budgetEventsPerSecond)} lines/s (about ${bytes} at the file's mean line size)`
}

/** Over budget only when the floor alone exceeds it, and then by how much and what to change. */
function overBudgetNote(r: AnalysisReport): string {
  const over = r.outcome.overBudget
  const budget = r.outcome.budgetBytesPerDay
  if (!over || budget === null) return ''
  const floor = over.floorPerMinute
  const sampled = over.floorBytesPerDay - over.alwaysKeptBytesPerDay
  const parts = [
    `${formatBytes(sampled)}/day for the coverage floor (${formatCount(floor)} line${floor === 1 ? '' : 's'}/min of each pattern, and the lowest rate of the rest)`,
    ...(over.alwaysKeptBytesPerDay > 0
      ? [
          `${formatBytes(over.alwaysKeptBytesPerDay)}/day for the levels never sampled (${r.generated.policy.defaults.alwaysKeep.join(', ')})`,
        ]
      : []),
  ]
  const { file } = r.outcome
  // A file of few lines over a long span (LogHub's samples): the floor keeps every line it has.
  const keepsAll = file.after.lines >= file.before.lines * 0.995
  // A budget in events is stated in events: its bytes are only converted at the mean line size.
  const statement = over.events
    ? `keeps ${formatCount(over.events.floorPerSecond)} lines/s, ${formatCount(over.events.overPerSecond)}/s over the budget of ${formatCount(over.events.budgetPerSecond)}/s`
    : `needs ${formatBytes(over.floorBytesPerDay)}/day, ${formatBytes(over.overBytesPerDay)}/day over the budget of ${formatBytes(budget)}/day`
  return (
    `OVER BUDGET: the floor alone ${statement}:\n` +
    parts.map((x) => `  ${x}\n`).join('') +
    (keepsAll
      ? `  the file has fewer lines than the floor keeps over ${formatDuration(r.window.seconds)}: every line is kept; --floor 0 shows what the rates alone would do\n`
      : '  every rate is at its lowest; raise the budget or lower --floor\n')
  )
}

function formatDuration(seconds: number): string {
  if (seconds >= 86_400) return `${+(seconds / 86_400).toFixed(2)} d`
  if (seconds >= 3600) return `${+(seconds / 3600).toFixed(2)} h`
  if (seconds >= 60) return `${+(seconds / 60).toFixed(2)} min`
  return `${+seconds.toFixed(2)} s`
}

/** Print a command's help: on stdout when asked for (exit 0), on stderr as a usage error. */
export function help(io: Io, text: string, code: number = EXIT.ok): number {
  if (code === EXIT.ok) io.out(`${text}\n`)
  else io.err(`${text}\n`)
  return code
}
