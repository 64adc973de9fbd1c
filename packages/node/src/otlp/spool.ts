// Bounded on-disk dead-letter queue for OTLP batches: one JSON-lines file per failed batch, written
// atomically (temp file, fsync, rename), capped in bytes by deleting the oldest files and counting them.
import { randomBytes } from 'node:crypto'
import { mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs'
import { decodeBatch, encodeBatch } from './spool-codec.js'

/** `<ms since epoch, 13 digits>-<sequence>-<random>-n<records>.jsonl`: names sort oldest first. */
const FILE_PATTERN = /^\d{13}-\d{6}-[0-9a-f]{8}-n(\d+)\.jsonl$/
const TMP_SUFFIX = '.tmp'

export interface SpoolEntry {
  readonly name: string
  readonly bytes: number
  readonly records: number
}

export interface SpoolCounters {
  spooledRecords: number
  droppedFiles: number
  droppedRecords: number
}

export interface Spool {
  /** Resolves once the folder was scanned (never rejects). */
  readonly ready: Promise<void>
  readonly counters: SpoolCounters
  /** Files on disk now, oldest first. */
  entries(): SpoolEntry[]
  /** Store a batch; false when it could not be written. */
  write(records: readonly ReadableLogRecord[]): Promise<boolean>
  /** The records of a file, or null when it is gone or unreadable (an unreadable file is deleted). */
  read(entry: SpoolEntry): Promise<ReadableLogRecord[] | null>
  /** Delete a file after its records were delivered. */
  remove(entry: SpoolEntry): Promise<void>
  /** Keep a file out of the size cap's reach while it is being replayed. */
  setBusy(entry: SpoolEntry, busy: boolean): void
  /** Resolves when every queued file operation is done. */
  idle(): Promise<void>
}

export interface SpoolOptions {
  dir: string
  maxBytes: number
  report: (code: string, message: string, error?: unknown) => void
}

export function createSpool(options: SpoolOptions): Spool {
  const { dir, maxBytes, report } = options
  const files = new Map<string, SpoolEntry>()
  const busy = new Set<string>()
  const counters: SpoolCounters = { spooledRecords: 0, droppedFiles: 0, droppedRecords: 0 }
  let sequence = 0
  // every mutation runs in this chain, so the in-memory index matches the folder
  let chain: Promise<unknown> = Promise.resolve()
  const enqueue = <T>(task: () => Promise<T>, fallback: T): Promise<T> => {
    const run = chain.then(task).catch((error: unknown) => {
      report('LOGSIEVE_OTLP_SPOOL_IO', `spool operation failed in ${dir}`, error)
      return fallback
    })
    chain = run
    return run
  }

  const sorted = (): SpoolEntry[] => [...files.values()].sort((a, b) => (a.name < b.name ? -1 : 1))
  const totalBytes = (): number => {
    let sum = 0
    for (const entry of files.values()) sum += entry.bytes
    return sum
  }

  const drop = async (entry: SpoolEntry): Promise<void> => {
    await unlink(join(dir, entry.name)).catch(() => undefined)
    files.delete(entry.name)
    counters.droppedFiles += 1
    counters.droppedRecords += entry.records
  }

  const enforceCap = async (): Promise<void> => {
    let excess = totalBytes() - maxBytes
    if (excess <= 0) return
    for (const entry of sorted()) {
      if (excess <= 0) break
      if (busy.has(entry.name)) continue
      await drop(entry)
      excess -= entry.bytes
    }
    report('LOGSIEVE_OTLP_SPOOL_FULL', `spool over ${maxBytes} bytes: oldest batches deleted`)
  }

  const scan = async (): Promise<void> => {
    await mkdir(dir, { recursive: true })
    for (const name of await readdir(dir)) {
      // a temp file is a write that a crash interrupted: its batch was never acknowledged as stored
      if (name.endsWith(TMP_SUFFIX)) await unlink(join(dir, name)).catch(() => undefined)
      const match = FILE_PATTERN.exec(name)
      if (!match) continue
      const info = await stat(join(dir, name))
      files.set(name, { name, bytes: info.size, records: Number(match[1]) })
    }
    await enforceCap()
  }

  const write = async (records: readonly ReadableLogRecord[]): Promise<boolean> => {
    const text = encodeBatch(records)
    sequence = (sequence + 1) % 1_000_000
    const stamp = String(Date.now()).padStart(13, '0')
    const seq = String(sequence).padStart(6, '0')
    const name = `${stamp}-${seq}-${randomBytes(4).toString('hex')}-n${records.length}.jsonl`
    const tmp = join(dir, name + TMP_SUFFIX)
    const handle = await open(tmp, 'w')
    try {
      await handle.writeFile(text)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(tmp, join(dir, name))
    files.set(name, { name, bytes: Buffer.byteLength(text), records: records.length })
    counters.spooledRecords += records.length
    await enforceCap()
    return true
  }

  const read = async (entry: SpoolEntry): Promise<ReadableLogRecord[] | null> => {
    if (!files.has(entry.name)) return null
    let text: string
    try {
      text = await readFile(join(dir, entry.name), 'utf8')
    } catch (error) {
      report('LOGSIEVE_OTLP_SPOOL_IO', `cannot read spool file ${entry.name}`, error)
      return null
    }
    try {
      return decodeBatch(text)
    } catch (error) {
      report('LOGSIEVE_OTLP_SPOOL_CORRUPT', `deleting unreadable spool file ${entry.name}`, error)
      await enqueue(() => drop(entry), undefined)
      return null
    }
  }

  const ready = enqueue(scan, undefined)
  return {
    ready,
    counters,
    entries: sorted,
    write: (records) => enqueue(() => write(records), false),
    read,
    remove: (entry) =>
      enqueue(async () => {
        await unlink(join(dir, entry.name)).catch(() => undefined)
        files.delete(entry.name)
      }, undefined),
    setBusy: (entry, isBusy) => {
      if (isBusy) busy.add(entry.name)
      else busy.delete(entry.name)
    },
    idle: () => enqueue(async () => undefined, undefined),
  }
}
