// Kept lines reach an OTLP/HTTP receiver through createSieve({ otlp }); dropped lines do not.

import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSieve } from '@logsieve/node'
import { createOtlpExporter } from '@logsieve/node/otlp'
import pino from 'pino'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { sievePino } from '../src/index.js'

interface OtlpJson {
  resourceLogs: Array<{
    scopeLogs: Array<{
      logRecords: Array<{
        severityNumber: number
        body: { stringValue?: string }
        traceId?: string
        attributes: Array<{ key: string; value: Record<string, unknown> }>
      }>
    }>
  }>
}

let receiver: Server
let url: string
let dir: string
const records: OtlpJson['resourceLogs'][number]['scopeLogs'][number]['logRecords'] = []

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'logsieve-otlp-'))
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString()) as OtlpJson
      for (const rl of body.resourceLogs) for (const sl of rl.scopeLogs) records.push(...sl.logRecords)
      res.setHeader('content-type', 'application/json')
      res.end('{}')
    })
  })
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r))
  url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/v1/logs`
})
afterAll(async () => {
  await new Promise((r) => receiver.close(r))
  await rm(dir, { recursive: true, force: true })
})

it('exports kept lines with their signature and trace ids', async () => {
  const sieve = createSieve({
    service: 'otlp-svc',
    cacheDir: false,
    policy: { service: 'otlp-svc', version: 1, defaults: { levels: { debug: 0 }, newPattern: { rate: 1 } } },
    otlp: createOtlpExporter({ service: 'otlp-svc', url, spoolDir: dir, scheduledDelayMillis: 50 }),
  })
  const log = pino(sievePino(sieve, { level: 'debug' }), { write: () => {} })
  let traceId = ''
  sieve.run({}, () => {
    traceId = sieve.traceparent()?.split('-')[1] ?? ''
    log.info({ orderId: 7 }, 'order %d placed', 7)
    log.debug('dropped detail')
  })
  log.error(new Error('payment failed'))
  await sieve.shutdown()
  expect(records.map((r) => r.body.stringValue)).toEqual(['order 7 placed', 'payment failed'])
  const attrs = Object.fromEntries(
    records[0]?.attributes.map((a) => [a.key, Object.values(a.value)[0]]) ?? [],
  )
  expect(attrs.orderId).toBeDefined()
  expect(String(attrs.signature)).toMatch(/^[0-9a-f]{16}$/)
  expect(records[0]?.traceId).toBe(traceId)
  expect(records[1]?.severityNumber).toBe(17)
})

it('exports an error that releases backfill with its own message, after the replayed lines', async () => {
  records.length = 0
  const sieve = createSieve({
    service: 'otlp-svc',
    cacheDir: false,
    policy: { service: 'otlp-svc', version: 1, defaults: { levels: { debug: 0 }, newPattern: { rate: 1 } } },
    otlp: createOtlpExporter({
      service: 'otlp-svc',
      url,
      spoolDir: join(dir, 'backfill'),
      scheduledDelayMillis: 50,
    }),
  })
  const written: string[] = []
  const log = pino(sievePino(sieve, { level: 'debug' }), { write: (s: string) => void written.push(s) })
  sieve.run({}, () => {
    log.debug('loading cart %s', 'c1')
    log.debug({ step: 2 }, 'pricing cart')
    log.error({ code: 'E42' }, 'checkout failed for %s', 'c1')
  })
  await sieve.shutdown()
  const bodies = ['loading cart c1', 'pricing cart', 'checkout failed for c1']
  expect(written.map((l) => JSON.parse(l).msg)).toEqual(bodies)
  expect(records.map((r) => r.body.stringValue)).toEqual(bodies)
  const error = records[2]
  expect(error?.severityNumber).toBe(17)
  expect(error?.attributes.find((a) => a.key === 'code')?.value).toEqual({ stringValue: 'E42' })
})
