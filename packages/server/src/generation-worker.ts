// The generation worker thread: receives a job's observations page by page, then computes its policy,
// so a generation over many patterns never holds the server's event loop.
import { parentPort } from 'node:worker_threads'
import type { PatternObservation } from '@logsieve/core'
import { type ComputeJob, computePolicy } from './generation/compute.js'

export type WorkerRequest =
  | { id: number; type: 'patterns'; patterns: PatternObservation[] }
  | { id: number; type: 'run'; job: ComputeJob }
  | { id: number; type: 'drop' }

const jobs = new Map<number, PatternObservation[]>()

parentPort?.on('message', (m: WorkerRequest) => {
  if (m.type === 'patterns') {
    const list = jobs.get(m.id)
    if (list) for (const p of m.patterns) list.push(p)
    else jobs.set(m.id, m.patterns)
    return
  }
  const patterns = jobs.get(m.id) ?? []
  jobs.delete(m.id)
  if (m.type === 'drop') return
  try {
    parentPort?.postMessage({ id: m.id, result: computePolicy(m.job, patterns) })
  } catch (err) {
    parentPort?.postMessage({ id: m.id, error: (err as Error).message })
  }
})
