// The server's side of the generation worker: one thread per server, started on first use. Either
// observations are posted page by page as they are read, or (SQLite) only the pending counts, in pages of
// moved buffers, and the worker reads and writes the pattern rows itself. Each post is small, never a
// million objects at once. Where no worker can start, jobs run in-process and the server logs that once.
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { PatternObservation } from '@logsieve/core'
import type { Logger } from 'pino'
import type { WorkerRequest } from '../generation-worker.js'
import { type ComputeResult, type ComputeSession, computePolicy, localSession } from './compute.js'
import type { PendingCounts } from './observations.js'
import { sendPendingPages } from './pending-pages.js'
import type { PipelineJob, PipelineResult } from './pipeline.js'

/** Patterns generated in-process: a generation over these takes a few milliseconds. */
export const IN_PROCESS_MAX = 200

type Reply = { id: number; result?: unknown; error?: string }

function spawn(): Worker {
  // Built, the worker is dist/generation-worker.js beside the bundle. From the sources (tests, tsx) it is
  // TypeScript, loaded through tsx's ESM API (a worker does not inherit the parent's loader; resolve()
  // names the API's CommonJS twin).
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./generation-worker.js', import.meta.url))
  const source = new URL('../generation-worker.ts', import.meta.url).href
  const tsx = pathToFileURL(
    createRequire(import.meta.url)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs'),
  ).href
  const boot = `import(${JSON.stringify(tsx)}).then((m) => m.tsImport(${JSON.stringify(source)}, ${JSON.stringify(source)}))`
  return new Worker(boot, { eval: true })
}

export class GenerationWorker {
  private worker: Worker | undefined
  private online = false
  private unavailable = false
  private nextId = 1
  private readonly waiting = new Map<number, { resolve(r: unknown): void; reject(e: Error): void }>()

  constructor(private readonly logger: Logger) {}

  private thread(): Worker | undefined {
    if (this.unavailable) return undefined
    if (this.worker) return this.worker
    let w: Worker
    try {
      w = spawn()
    } catch (err) {
      return this.giveUp(err)
    }
    w.unref()
    w.on('online', () => {
      this.online = true
    })
    w.on('message', (m: Reply) => {
      const wait = this.waiting.get(m.id)
      if (!wait) return
      this.waiting.delete(m.id)
      if (m.result !== undefined) wait.resolve(m.result)
      else wait.reject(new Error(`generation worker: ${m.error}`))
    })
    w.on('error', (err) => {
      if (!this.online) this.giveUp(err)
      this.fail(err)
    })
    w.on('exit', () => this.fail(new Error('generation worker exited')))
    this.worker = w
    return w
  }

  private giveUp(err: unknown): undefined {
    this.unavailable = true
    this.logger.warn({ err }, 'generation worker unavailable: generating in-process (blocks the event loop)')
    return undefined
  }

  private fail(err: Error): void {
    this.worker = undefined
    this.online = false
    for (const w of this.waiting.values()) w.reject(err)
    this.waiting.clear()
  }

  /**
   * A job for one generation. Its observations stay in-process until there are more than
   * IN_PROCESS_MAX (a small generation costs less than a thread hop); past that they go to the worker.
   */
  begin(): ComputeSession {
    const local: PatternObservation[] = []
    let remote: ComputeSession | undefined
    return {
      add: (patterns) => {
        if (remote) return remote.add(patterns)
        for (const p of patterns) local.push(p)
        if (local.length <= IN_PROCESS_MAX) return
        remote = this.remote()
        remote.add(local.splice(0))
      },
      run: (job) => (remote ? remote.run(job) : Promise.resolve(computePolicy(job, local))),
      drop: () => {
        local.length = 0
        remote?.drop()
      },
    }
  }

  private remote(): ComputeSession {
    const worker = this.thread()
    if (!worker) return localSession()
    const id = this.nextId++
    const post = (m: WorkerRequest) => worker.postMessage(m)
    return {
      add: (patterns) => post({ id, type: 'patterns', patterns }),
      run: (job) => this.request<ComputeResult>(worker, { id, type: 'run', job }),
      drop: () => post({ id, type: 'drop' }),
    }
  }

  /**
   * A whole generation over the SQLite file `db`, run in the worker: only `pending`'s counts cross
   * threads. Undefined when no worker can start (the caller runs it in-process).
   */
  async generate(
    db: string,
    job: PipelineJob,
    pending: PendingCounts | undefined,
  ): Promise<PipelineResult | undefined> {
    const worker = this.thread()
    if (!worker) return undefined
    const id = this.nextId++
    try {
      if (pending) {
        await sendPendingPages(pending.patterns, (page) => {
          const m: WorkerRequest = { id, type: 'pending', page }
          worker.postMessage(m, [page.counts.buffer as ArrayBuffer])
        })
      }
    } catch (err) {
      worker.postMessage({ id, type: 'drop' } satisfies WorkerRequest)
      throw err
    }
    const m: WorkerRequest = { id, type: 'generate', db, job, pendingSeconds: pending?.seconds }
    return this.request<PipelineResult>(worker, m)
  }

  private request<T>(worker: Worker, m: WorkerRequest): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(m.id, { resolve: resolve as (r: unknown) => void, reject })
      // A job running keeps the process alive; an idle worker does not.
      worker.ref()
      worker.postMessage(m)
    }).finally(() => {
      if (this.waiting.size === 0) this.worker?.unref()
    })
  }

  async close(): Promise<void> {
    const w = this.worker
    this.worker = undefined
    if (!w) return
    // Let the worker close its database connections first; terminate it if it does not end promptly.
    const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()))
    w.postMessage({ id: 0, type: 'close' } satisfies WorkerRequest)
    const timer = setTimeout(() => void w.terminate(), 2000)
    await exited
    clearTimeout(timer)
  }
}
