// Generation at scale (issue 18): a service with 100k and 1M distinct patterns, the time one generation
// takes and the longest event-loop block while it runs (perf_hooks monitorEventLoopDelay; target ≤ 50 ms
// at any size), beside the same process's loop idle for 5 s before it (on a shared, loaded machine an
// idle loop also waits for a core), the share of the time the loop was busy (event-loop utilization,
// which the machine's load does not inflate), the longest garbage-collection pause of the server thread
// and, after the generation, what the server thread holds per pattern (heap after a full collection,
// array buffers). The stats go through the server's own aggregator (the same code POST /v1/stats calls,
// without 200 HTTP requests per million patterns); the per-service pattern cap is raised to the size.
// Standalone: `tsx bench/server-generation.ts [sizes...]`.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay, PerformanceObserver, performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import type { StatsBatch } from '@logsieve/core'

const BATCH = 5000
const fmtMs = (ms: number) => `${ms.toLocaleString('en-US', { maximumFractionDigits: 0 })} ms`
const IDLE_MS = 5000

/** Heap used after a full collection, and array buffers, in bytes. */
function held(): { heap: number; buffers: number } {
  setFlagsFromString('--expose-gc')
  const gc = runInNewContext('gc') as () => void
  gc()
  gc()
  const m = process.memoryUsage()
  return { heap: m.heapUsed, buffers: m.arrayBuffers }
}

/**
 * Time the server thread (the main thread, whose id is the process id) has run, and waited in the
 * kernel's run queue for a core, ms (Linux schedstat; undefined elsewhere).
 */
function threadTimes(): { ran: number; waited: number } | undefined {
  try {
    const [ran, waited] = readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8')
      .split(' ')
      .map(Number)
    return { ran: ran! / 1e6, waited: waited! / 1e6 }
  } catch {
    return undefined
  }
}

interface Loop {
  max: number
  p99: number
  gc: number
  busy: number
  /** The longest block: how long the thread ran in it, waited for a core, and collected garbage. */
  longest: { ran: number | undefined; waited: number | undefined; gc: number }
}

/**
 * The event loop's longest and 99th-percentile delay, the longest GC pause, and for the longest block
 * how much of it the thread ran, waited for a core (a loaded machine) and collected garbage, while `fn`
 * runs.
 */
async function loopWhile<T>(fn: () => Promise<T>): Promise<Loop & { value: T }> {
  let gc = 0
  const pauses: Array<{ start: number; end: number }> = []
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gc = Math.max(gc, e.duration)
      pauses.push({ start: e.startTime, end: e.startTime + e.duration })
    }
  })
  observer.observe({ entryTypes: ['gc'] })
  const h = monitorEventLoopDelay({ resolution: 5 })
  h.enable()
  let longest = {
    ms: 0,
    start: 0,
    end: 0,
    ran: undefined as number | undefined,
    waited: undefined as number | undefined,
  }
  let last = { at: performance.now(), times: threadTimes() }
  const sampler = setInterval(() => {
    const now = { at: performance.now(), times: threadTimes() }
    if (now.at - last.at > longest.ms) {
      const a = last.times
      const b = now.times
      longest = {
        ms: now.at - last.at,
        start: last.at,
        end: now.at,
        ran: b && a && b.ran - a.ran,
        waited: b && a && b.waited - a.waited,
      }
    }
    last = now
  }, 5)
  // Its first sample only sets a baseline: let it take one before `fn` starts.
  await new Promise((r) => setTimeout(r, 20))
  const elu = performance.eventLoopUtilization()
  const value = await fn()
  const busy = performance.eventLoopUtilization(elu).utilization
  // A block ends before the monitor's timer can run: let it fire once more to record it.
  await new Promise((r) => setTimeout(r, 20))
  clearInterval(sampler)
  h.disable()
  observer.disconnect()
  let inLongest = 0
  for (const p of pauses)
    inLongest += Math.max(0, Math.min(p.end, longest.end) - Math.max(p.start, longest.start))
  return {
    value,
    max: h.max / 1e6,
    p99: h.percentile(99) / 1e6,
    gc,
    busy,
    longest: { ran: longest.ran, waited: longest.waited, gc: inLongest },
  }
}

const inBlock = (l: Loop) =>
  `in the longest block the thread ran ${l.longest.ran === undefined ? '?' : fmtMs(l.longest.ran)} (GC ${fmtMs(l.longest.gc)}) and waited ${l.longest.waited === undefined ? '?' : fmtMs(l.longest.waited)} for a core`

function batchOf(from: number, count: number, end: number): StatsBatch {
  const firstSeen = new Date(end - 86_400_000).toISOString()
  return {
    sdk: { name: 'bench', version: '0' },
    service: 'wide',
    environment: 'prod',
    instance: 'bench-1',
    window: { start: new Date(end - 30_000).toISOString(), end: new Date(end).toISOString() },
    patterns: Array.from({ length: count }, (_, k) => {
      const i = from + k
      const seen = 1 + (i % 97)
      return {
        signature: i.toString(16).padStart(16, '0'),
        level: 'info' as const,
        template: `job ${i} finished in <*> ms`,
        seen,
        kept: seen,
        bytes: seen * 120,
        firstSeen,
      }
    }),
  }
}

export async function measureGeneration(sizes: number[]): Promise<void> {
  const { startServer } = await import('../packages/server/src/index.js')
  for (const size of sizes) {
    const base = held()
    const dir = mkdtempSync(join(tmpdir(), 'logsieve-bench-gen-'))
    const server = await startServer({
      port: 0,
      dbPath: join(dir, 'gen.db'),
      adminKey: 'bench-admin-key-0123456789',
      rateLimit: false,
      generationIntervalMs: 0,
      ...({ maxPatternsPerService: size } as object),
    })
    try {
      const now = Date.now()
      // Two periods: the first gives every pattern its rate baseline, the second is the one measured.
      for (const period of [0, 1]) {
        for (let i = 0; i < size; i += BATCH) {
          server.context.stats.add(batchOf(i, Math.min(BATCH, size - i), now - (1 - period) * 60_000))
          await new Promise((r) => setImmediate(r))
        }
        await server.flush()
        if (period === 0) await server.generate('wide', 'prod')
      }
      const idle = await loopWhile(() => new Promise((r) => setTimeout(r, IDLE_MS)))
      const t0 = performance.now()
      const run = await loopWhile(() => server.generate('wide', 'prod'))
      const ms = performance.now() - t0
      const after = held()
      const perPattern = (b: number) => `${Math.round(b / size)} B`
      console.log(
        `generation at ${size.toLocaleString('en-US')} patterns: ${fmtMs(ms)}, longest event-loop block ${fmtMs(run.max)} (target ≤ 50 ms) ${run.max <= 50 ? 'ok' : 'MISSED'}, p99 ${fmtMs(run.p99)}, loop busy ${Math.round(run.busy * 100)}% of the time, longest GC pause ${fmtMs(run.gc)}; ${inBlock(run)}; idle ${IDLE_MS / 1000} s before: longest ${fmtMs(idle.max)} (${inBlock(idle)}), p99 ${fmtMs(idle.p99)}; ${run.value.policy.rules.length.toLocaleString('en-US')} rules, RSS ${Math.round(process.memoryUsage().rss / 1e6)} MB; held per pattern: heap ${perPattern(after.heap - base.heap)}, array buffers ${perPattern(after.buffers - base.buffers)}`,
      )
    } finally {
      await server.close()
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const sizes = process.argv.slice(2).map(Number)
  await measureGeneration(sizes.length ? sizes : [100_000, 1_000_000])
}
