// Generation at scale (issue 18): a service with 100k and 1M distinct patterns, the time one generation
// takes and the longest event-loop block while it runs (perf_hooks monitorEventLoopDelay; target ≤ 50 ms
// at any size). The stats go through the server's own aggregator (the same code POST /v1/stats calls,
// without 200 HTTP requests per million patterns); the per-service pattern cap is raised to the size.
// Standalone: `tsx bench/server-generation.ts [sizes...]`.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import type { StatsBatch } from '@logsieve/core'

const BATCH = 5000
const fmtMs = (ms: number) => `${ms.toLocaleString('en-US', { maximumFractionDigits: 0 })} ms`

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
      const h = monitorEventLoopDelay({ resolution: 5 })
      h.enable()
      // Its first sample only sets a baseline: let it take one before generation starts.
      await new Promise((r) => setTimeout(r, 20))
      const t0 = performance.now()
      const r = await server.generate('wide', 'prod')
      const ms = performance.now() - t0
      // The block ends before the monitor's timer can run: let it fire once more to record it.
      await new Promise((r) => setTimeout(r, 20))
      h.disable()
      const block = h.max / 1e6
      console.log(
        `generation at ${size.toLocaleString('en-US')} patterns: ${fmtMs(ms)}, longest event-loop block ${fmtMs(block)} (target ≤ 50 ms) ${block <= 50 ? 'ok' : 'MISSED'}; ${r.policy.rules.length.toLocaleString('en-US')} rules, RSS ${Math.round(process.memoryUsage().rss / 1e6)} MB`,
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
