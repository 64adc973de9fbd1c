// The generation worker thread, so a generation over many patterns never holds the server's event loop.
// Two kinds of job: observations sent page by page, then a policy computed from them (PostgreSQL, whose
// rows the server reads in its transaction); or a whole generation over a SQLite file, whose patterns the
// worker reads and whose rate states it writes through its own connection (WAL: readers never wait).
import { parentPort } from 'node:worker_threads'
import type { PatternObservation } from '@logsieve/core'
import { type ComputeJob, computePolicy, localSession } from './generation/compute.js'
import { addPendingPage, type PendingPage } from './generation/pending-pages.js'
import { type PipelineJob, runPipeline } from './generation/pipeline.js'
import { PendingColumns } from './pending.js'
import { SqliteStore } from './store/sqlite.js'

export type WorkerRequest =
  | { id: number; type: 'patterns'; patterns: PatternObservation[] }
  | { id: number; type: 'run'; job: ComputeJob }
  | { id: number; type: 'pending'; page: PendingPage }
  | { id: number; type: 'generate'; db: string; job: PipelineJob; pendingSeconds: number | undefined }
  | { id: number; type: 'drop' }
  | { id: number; type: 'close' }

const observations = new Map<number, PatternObservation[]>()
const pending = new Map<number, PendingColumns>()
/** One connection per database file, opened on first use. */
const stores = new Map<string, SqliteStore>()

const storeFor = (db: string): SqliteStore => {
  let store = stores.get(db)
  if (!store) {
    store = new SqliteStore(db)
    stores.set(db, store)
  }
  return store
}

async function generate(m: Extract<WorkerRequest, { type: 'generate' }>): Promise<void> {
  const counts = pending.get(m.id) ?? new PendingColumns()
  pending.delete(m.id)
  try {
    const seconds = m.pendingSeconds
    const result = await runPipeline(
      storeFor(m.db),
      m.job,
      seconds === undefined ? undefined : { patterns: counts, seconds },
      localSession(),
    )
    parentPort?.postMessage({ id: m.id, result })
  } catch (err) {
    parentPort?.postMessage({ id: m.id, error: (err as Error).message })
  }
}

parentPort?.on('message', (m: WorkerRequest) => {
  switch (m.type) {
    case 'patterns': {
      const list = observations.get(m.id)
      if (list) for (const p of m.patterns) list.push(p)
      else observations.set(m.id, m.patterns)
      return
    }
    case 'pending': {
      let counts = pending.get(m.id)
      if (!counts) {
        counts = new PendingColumns()
        pending.set(m.id, counts)
      }
      addPendingPage(counts, m.page)
      return
    }
    case 'generate':
      void generate(m)
      return
    case 'drop':
      observations.delete(m.id)
      pending.delete(m.id)
      return
    case 'close':
      // The connections closed here, not torn down with the thread (their WAL left as a clean reader's).
      for (const s of stores.values()) s.db.close()
      stores.clear()
      parentPort?.close()
      return
    case 'run': {
      const list = observations.get(m.id) ?? []
      observations.delete(m.id)
      try {
        parentPort?.postMessage({ id: m.id, result: computePolicy(m.job, list) })
      } catch (err) {
        parentPort?.postMessage({ id: m.id, error: (err as Error).message })
      }
    }
  }
})
