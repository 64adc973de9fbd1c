// A LogRecordExporter decorator: a batch the wrapped OTLP exporter gives up on (after its own retries)
// is written to the spool, and the spool is replayed through the same wrapped exporter.
import { type ExportResult, ExportResultCode } from '@opentelemetry/core'
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs'
import type { Spool, SpoolEntry } from './spool.js'
import type { OtlpReplayResult } from './types.js'

export interface SpoolingExporter extends LogRecordExporter {
  replay(): Promise<OtlpReplayResult>
  readonly counters: { lostRecords: number; rejectedRecords: number; replayedRecords: number }
}

/**
 * 400 and 413 say the batch itself is unacceptable (malformed, too large): sending it again can never
 * succeed, and a spooled batch like that would block every replay behind it. Other failures (401 until a
 * token is fixed, 404 until a route exists, 5xx, network) may pass later and are spooled.
 */
function isRejected(error: unknown): boolean {
  const status = (error as { code?: unknown } | undefined)?.code
  return status === 400 || status === 413
}

type Report = (code: string, message: string, error?: unknown) => void

export function createSpoolingExporter(
  inner: LogRecordExporter,
  spool: Spool | null,
  report: Report,
): SpoolingExporter {
  const counters = { lostRecords: 0, rejectedRecords: 0, replayedRecords: 0 }
  const pending = new Set<Promise<unknown>>()
  let replaying: Promise<OtlpReplayResult> | null = null

  const track = (promise: Promise<unknown>): void => {
    pending.add(promise)
    void promise.finally(() => pending.delete(promise))
  }

  /** One export through the wrapped exporter, as a promise that never rejects. */
  const exportOnce = (records: ReadableLogRecord[]): Promise<ExportResult> =>
    new Promise((resolve) => {
      try {
        inner.export(records, resolve)
      } catch (error) {
        resolve({ code: ExportResultCode.FAILED, error: error as Error })
      }
    })

  const store = async (records: ReadableLogRecord[], failure: ExportResult): Promise<ExportResult> => {
    if (isRejected(failure.error)) {
      report(
        'LOGSIEVE_OTLP_REJECTED',
        `receiver rejected ${records.length} log records; not spooled`,
        failure.error,
      )
      counters.rejectedRecords += records.length
      return failure
    }
    report('LOGSIEVE_OTLP_EXPORT_FAILED', `export of ${records.length} log records failed`, failure.error)
    if (spool !== null && (await spool.write(records))) {
      // the batch is durable now; reporting SUCCESS keeps the batch processor from logging it as lost
      return { code: ExportResultCode.SUCCESS }
    }
    counters.lostRecords += records.length
    return failure
  }

  const replayEntry = async (entry: SpoolEntry): Promise<boolean> => {
    if (spool === null) return false
    const records = await spool.claim(entry)
    if (records === null) return true // gone (size cap, another process) or unreadable: nothing to send
    const result = await exportOnce(records)
    const delivered = result.code === ExportResultCode.SUCCESS
    const rejected = !delivered && isRejected(result.error)
    // delete only after the receiver acknowledged: a crash in between may resend, never lose
    await spool.settle(entry, delivered || rejected)
    if (rejected) {
      report('LOGSIEVE_OTLP_REJECTED', `receiver rejected spooled ${entry.name}; deleted`, result.error)
      counters.rejectedRecords += entry.records
      return true
    }
    if (!delivered) {
      report('LOGSIEVE_OTLP_REPLAY_FAILED', `replay of ${entry.name} failed; kept`, result.error)
      return false
    }
    counters.replayedRecords += entry.records
    return true
  }

  const runReplay = async (): Promise<OtlpReplayResult> => {
    if (spool === null) return { replayed: 0, failed: 0 }
    await spool.ready
    const snapshot = spool.entries()
    const before = counters.replayedRecords
    for (const entry of snapshot) {
      // the endpoint is still failing: stop instead of hammering it with every file
      if (!(await replayEntry(entry))) break
    }
    const left = new Set(spool.entries().map((entry) => entry.name))
    let failed = 0
    for (const entry of snapshot) if (left.has(entry.name)) failed += entry.records
    return { replayed: counters.replayedRecords - before, failed }
  }

  return {
    counters,
    export(records, resultCallback) {
      const finish = (result: ExportResult): void => {
        if (result.code === ExportResultCode.SUCCESS) {
          resultCallback(result)
          return
        }
        const stored = store(records, result).then(resultCallback, () => resultCallback(result))
        track(stored)
      }
      try {
        inner.export(records, finish)
      } catch (error) {
        finish({ code: ExportResultCode.FAILED, error: error as Error })
      }
    },
    replay() {
      // one pass at a time: two concurrent passes would send the same file twice
      replaying ??= runReplay()
        .catch((error: unknown) => {
          report('LOGSIEVE_OTLP_REPLAY_FAILED', 'spool replay failed', error)
          return { replayed: 0, failed: spool?.entries().reduce((sum, e) => sum + e.records, 0) ?? 0 }
        })
        .finally(() => {
          replaying = null
        })
      return replaying
    },
    async forceFlush() {
      await inner.forceFlush()
      await Promise.all(pending)
    },
    async shutdown() {
      if (replaying) await replaying
      await Promise.all(pending)
      await spool?.idle()
      await inner.shutdown()
    },
  }
}
