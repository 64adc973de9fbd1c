// Reads the LogHub-2k samples (structured CSV with ground-truth EventIds) as replayable lines.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { type LevelName, normalizeLevel } from '@logsieve/core'
import { parseCsv } from '../eval-signature.js'

export interface ReplayLine {
  /** Ground-truth pattern: `<dataset>:<EventId>`. */
  pattern: string
  content: string
  level: LevelName
  /** Size of the line as a JSON log line (pino-like envelope + message). */
  bytes: number
}

/** A pino line's envelope without the message: `{"level":30,"time":…,"pid":…,"hostname":"…","msg":""}`. */
export const ENVELOPE_BYTES = 72

export function readDataset(dir: string, name: string): ReplayLine[] {
  const file = join(dir, name, `${name}_2k.log_structured_corrected.csv`)
  if (!existsSync(file)) return []
  const [header, ...rows] = parseCsv(readFileSync(file, 'utf8'))
  const content = header!.indexOf('Content')
  const eventId = header!.indexOf('EventId')
  const level = header!.indexOf('Level')
  return rows
    .filter((r) => r.length === header!.length)
    .map((r) => ({
      pattern: `${name}:${r[eventId]}`,
      content: r[content]!,
      level: level >= 0 ? normalizeLevel(r[level]) : 'info',
      bytes: ENVELOPE_BYTES + Buffer.byteLength(r[content]!),
    }))
}

export interface Dataset {
  name: string
  lines: ReplayLine[]
}

/**
 * Lines in each full LogHub dataset (the loghub README; the 2k samples are drawn from these). A fleet
 * logs in these proportions when every system runs: the data-plane systems (Spark, HDFS) dominate.
 */
export const LOGHUB_FULL_LINES: Readonly<Record<string, number>> = {
  HDFS: 11_175_629,
  Hadoop: 394_308,
  Linux: 25_567,
  OpenSSH: 655_146,
  Proxifier: 21_329,
  Spark: 33_236_604,
  Zookeeper: 74_380,
}

/** Every dataset in `dir`, each as its own stream of lines (in file order). */
export function readLoghub(dir: string): Dataset[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .map((name) => ({ name, lines: readDataset(dir, name) }))
    .filter((d) => d.lines.length > 0)
}
