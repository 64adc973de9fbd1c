// A new instance's stats windows grow 2 s, 8 s, 16 s … up to statsIntervalMs (scaled down here), so the
// server's settling policies (SETTLING_POLICIES) each rest on about twice the traffic of the one before.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSampler, createStatsTable, toStatsBatch } from '@logsieve/core/sdk'
import { startServer } from '@logsieve/server'
import { expect, it } from 'vitest'
import { createStatsSender } from '../src/stats-sender.js'

it('sends the early windows after the first, second, twice the second … then every interval', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'logsieve-windows-'))
  const server = await startServer({
    port: 0,
    host: '127.0.0.1',
    dbPath: join(dir, 'w.sqlite'),
    adminKey: 'a',
  })
  const table = createStatsTable()
  const sampler = createSampler({ stats: table })
  // A line every 20 ms, so every window has stats to send.
  const lines = setInterval(() => sampler.decide('info', 'job %s done', { isFormat: true }), 20)
  const sentAt: number[] = []
  const started = performance.now()
  const sender = createStatsSender({
    url: server.url,
    apiKey: await server.createKey('ingest', ['windows']),
    table,
    toBatch: (s) =>
      toStatsBatch(s, {
        sdk: { name: 'test', version: '0' },
        service: 'windows',
        environment: 'test',
        instance: 'one',
        policyVersion: 0,
      }),
    firstIntervalMs: 100,
    secondIntervalMs: 200,
    intervalMs: 1200,
    timeoutMs: 2000,
    maxBackoffMs: 5000,
    fetch,
    onError: (e) => {
      throw e
    },
    onSent: () => sentAt.push(performance.now() - started),
  })
  try {
    sender.start()
    await new Promise((r) => setTimeout(r, 4600))
    const gaps = sentAt.map((t, i) => t - (sentAt[i - 1] ?? 0))
    // 100, 200, 400, 800, then the interval (1600 capped at 1200); each gap also holds one request.
    const expected = [100, 200, 400, 800, 1200]
    expect(gaps.length).toBeGreaterThanOrEqual(expected.length)
    expected.forEach((ms, i) => {
      expect(gaps[i]).toBeGreaterThanOrEqual(ms - 20)
      expect(gaps[i]).toBeLessThan(ms + 250)
    })
  } finally {
    sender.stop()
    clearInterval(lines)
    await server.close()
    await rm(dir, { recursive: true, force: true })
  }
}, 15_000)
