// Bounded on-disk dead-letter queue for OTLP batches: one JSON-lines file per failed batch, written
// atomically (temp file, fsync, rename), capped in bytes by deleting the oldest files and counting them.
// A replay first claims a file by renaming it (atomic), so two processes sharing a folder never both
// send it; a claim left by a dead process is released at the next start.
import { randomBytes } from 'node:crypto'
import { mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs'
import { decodeBatch, encodeBatch } from './spool-codec.js'

/** `<ms since epoch, 13 digits>-<sequence>-<random>-n<records>.jsonl`: names sort oldest first. */
const FILE_PATTERN = /^\d{13}-\d{6}-[0-9a-f]{8}-n(\d+)\.jsonl$/
const TMP_SUFFIX = '.tmp'
/** A temp file older than this was left by a crash, not by a write in progress. */
const STALE_TMP_MS = 60_000
/** `<file>.claim-<pid>`: the file is being replayed by that process. */
const CLAIM_PATTERN = /^(.+\.jsonl)\.claim-(\d+)$/
const claimName = (name: string): string => `${name}.claim-${process.pid}`
/** Paths this process has claimed (two exporters in one process may share a folder). */
const activeClaims = new Set<string>()

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

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
  /**
   * Claim a file for replay and read it: null when it is gone (size cap, another process) or unreadable
   * (then it is deleted and counted as dropped). A claimed file is out of the size cap's reach.
   */
  claim(entry: SpoolEntry): Promise<ReadableLogRecord[] | null>
  /** End a claim: delete the file once delivered, or give it back to the spool. */
  settle(entry: SpoolEntry, delivered: boolean): Promise<void>
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
  const claimed = new Set<string>()
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
      if (claimed.has(entry.name)) continue
      await drop(entry)
      excess -= entry.bytes
    }
    report('LOGSIEVE_OTLP_SPOOL_FULL', `spool over ${maxBytes} bytes: oldest batches deleted`)
  }

  /** Index one directory entry; release a dead process's claim, delete an abandoned temp file. */
  const indexEntry = async (name: string): Promise<void> => {
    if (name.endsWith(TMP_SUFFIX)) {
      // a crash interrupted that write (its batch was never acknowledged as stored); a recent one may
      // still be in progress in another process sharing the folder
      const info = await stat(join(dir, name))
      if (Date.now() - info.mtimeMs > STALE_TMP_MS) await unlink(join(dir, name))
      return
    }
    let fileName = name
    const claim = CLAIM_PATTERN.exec(name)
    if (claim) {
      const pid = Number(claim[2])
      // being replayed by a live process: not ours to count or send. Our own pid on a file we did not
      // claim means an earlier process with the same pid (pid 1 in a container) died mid-replay.
      if (pid === process.pid ? activeClaims.has(join(dir, name)) : isAlive(pid)) return
      fileName = claim[1]!
      await rename(join(dir, name), join(dir, fileName))
    }
    const match = FILE_PATTERN.exec(fileName)
    if (!match) return
    const info = await stat(join(dir, fileName))
    files.set(fileName, { name: fileName, bytes: info.size, records: Number(match[1]) })
  }

  const scan = async (): Promise<void> => {
    await mkdir(dir, { recursive: true })
    for (const name of await readdir(dir)) {
      // another process may rename or delete a file under us: skip it, keep scanning
      await indexEntry(name).catch(() => undefined)
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
    // the folder may have been removed since start (a tmp cleaner): recreate it
    await mkdir(dir, { recursive: true })
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

  const claim = async (entry: SpoolEntry): Promise<ReadableLogRecord[] | null> => {
    if (!files.has(entry.name)) return null
    const path = join(dir, claimName(entry.name))
    try {
      await rename(join(dir, entry.name), path)
    } catch {
      // deleted by a size cap or claimed by another process in the meantime
      files.delete(entry.name)
      return null
    }
    claimed.add(entry.name)
    activeClaims.add(path)
    try {
      return decodeBatch(await readFile(path, 'utf8'))
    } catch (error) {
      report('LOGSIEVE_OTLP_SPOOL_CORRUPT', `deleting unreadable spool file ${entry.name}`, error)
      await enqueue(async () => {
        await unlink(path).catch(() => undefined)
        claimed.delete(entry.name)
        activeClaims.delete(path)
        if (files.delete(entry.name)) {
          counters.droppedFiles += 1
          counters.droppedRecords += entry.records
        }
      }, undefined)
      return null
    }
  }

  const settle = (entry: SpoolEntry, delivered: boolean): Promise<void> =>
    enqueue(async () => {
      const path = join(dir, claimName(entry.name))
      claimed.delete(entry.name)
      activeClaims.delete(path)
      if (delivered) {
        await unlink(path).catch(() => undefined)
        files.delete(entry.name)
      } else {
        await rename(path, join(dir, entry.name))
        await enforceCap()
      }
    }, undefined)

  const ready = enqueue(scan, undefined)
  return {
    ready,
    counters,
    entries: sorted,
    write: (records) => enqueue(() => write(records), false),
    claim,
    settle,
    idle: () => enqueue(async () => undefined, undefined),
  }
}
