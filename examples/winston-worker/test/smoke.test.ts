import { Writable } from 'node:stream'
import { expect, it } from 'vitest'
import winston from 'winston'
import { createWorker } from '../src/worker.js'

it('keeps a quarter of finished jobs and the whole story of failed ones', async () => {
  const lines: Array<Record<string, unknown>> = []
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const s of String(chunk).split('\n')) if (s) lines.push(JSON.parse(s) as Record<string, unknown>)
      cb()
    },
  })
  const worker = createWorker(new winston.transports.Stream({ stream }))
  for (let i = 0; i < 200; i++) await worker.run({ id: `job-${i}`, fail: i === 99 })
  await new Promise((r) => setTimeout(r, 20))
  await worker.sieve.shutdown()

  const done = lines.filter((l) => String(l.message).endsWith(' done'))
  expect(done.length).toBeGreaterThan(20)
  expect(done.length).toBeLessThan(90)
  // Each kept line stands for itself and the `done` lines dropped since the previous kept one (job 99
  // failed and logged none).
  let previous = -1
  for (const l of done) {
    const id = Number(String(l.message).match(/job-(\d+)/)?.[1])
    const between = id - previous - (previous < 99 && id > 99 ? 1 : 0)
    expect(l.sample_rate ?? 1).toBe(between)
    previous = id
  }
  const failed = lines.filter((l) => l.request_id === 'job-99')
  expect(failed.map((l) => l.message)).toEqual([
    'fetched job job-99',
    'resized 3 images',
    'job job-99 failed: upstream timeout',
  ])
  expect(failed.slice(0, 2).every((l) => l.backfilled === true)).toBe(true)
  expect(new Set(failed.map((l) => l.trace_id)).size).toBe(1)
})
