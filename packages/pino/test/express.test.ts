// A real Express app on a real port with a real pino logger: scope per request, traceparent in and out,
// request lines, and the error handler releasing the request's backfill.
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createSieve } from '@logsieve/node'
import express from 'express'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sievePino } from '../src/index.js'

type Line = Record<string, unknown>
const lines: Line[] = []
const sieve = createSieve({
  service: 'shop',
  cacheDir: false,
  policy: { service: 'shop', version: 1, defaults: { levels: { debug: 0 }, newPattern: { rate: 1 } } },
})
const log = pino(sievePino(sieve, { level: 'debug' }), {
  write: (s: string) => void lines.push(JSON.parse(s) as Line),
})
let server: Server
let url: string

beforeAll(async () => {
  const app = express()
  app.use(sieve.express({ logger: log, requestLog: true }))
  app.get('/ok', (_req, res) => {
    log.debug('loading %s', 'profile')
    sieve.setFields({ userId: 'u-1' })
    log.info('profile served')
    res.json({ traceparent: sieve.traceparent() })
  })
  app.get('/fail', async () => {
    log.debug('step %d', 1)
    await new Promise((r) => setTimeout(r, 5))
    log.debug('step %d', 2)
    throw new Error('boom')
  })
  app.use(sieve.expressErrorHandler({ logger: log }))
  server = app.listen(0, '127.0.0.1')
  await new Promise((r) => server.once('listening', r))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  await new Promise((r) => server.close(r))
  await sieve.shutdown()
})

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'

describe('sieve.express()', () => {
  it('continues the caller’s trace, answers with traceparent, and logs the request line', async () => {
    lines.length = 0
    const res = await fetch(`${url}/ok`, { headers: { traceparent: `00-${TRACE}-00f067aa0ba902b7-01` } })
    const body = (await res.json()) as { traceparent: string }
    expect(res.headers.get('traceparent')).toMatch(new RegExp(`^00-${TRACE}-[0-9a-f]{16}-01$`))
    expect(body.traceparent).toBe(res.headers.get('traceparent'))
    await new Promise((r) => setTimeout(r, 20))
    expect(lines.map((l) => l.msg)).toEqual(['profile served', 'request completed'])
    expect(lines[0]).toMatchObject({ trace_id: TRACE, userId: 'u-1' })
    expect(lines[1]).toMatchObject({ trace_id: TRACE, status: 200, method: 'GET', url: '/ok' })
    expect(typeof lines[1]?.durationMs).toBe('number')
  })

  it('adds the caller’s x-request-id as request_id once, and no made-up ids without one', async () => {
    lines.length = 0
    await (await fetch(`${url}/ok`, { headers: { 'x-request-id': 'req-42' } })).json()
    await new Promise((r) => setTimeout(r, 20))
    expect(lines.map((l) => [l.msg, l.request_id])).toEqual([
      ['profile served', 'req-42'],
      ['request completed', 'req-42'],
    ])
    // The request line states it once: request_id, not requestId beside it.
    expect(lines[1]).not.toHaveProperty('requestId')
    lines.length = 0
    await (await fetch(`${url}/ok`)).json()
    await new Promise((r) => setTimeout(r, 20))
    expect(lines).toHaveLength(2)
    for (const l of lines) {
      // No trace came in: the one Logsieve started is in the response's traceparent, not on every line.
      expect(l).not.toHaveProperty('trace_id')
      expect(l).not.toHaveProperty('request_id')
      expect(l).not.toHaveProperty('requestId')
    }
  })

  it('writes the dropped lines of a failing request before its error, then the 500 line', async () => {
    lines.length = 0
    const res = await fetch(`${url}/fail`, { headers: { traceparent: `00-${TRACE}-00f067aa0ba902b7-01` } })
    expect(res.status).toBe(500)
    await new Promise((r) => setTimeout(r, 20))
    expect(lines.map((l) => l.msg)).toEqual(['step 1', 'step 2', 'unhandled error', 'request failed'])
    const traceId = res.headers.get('traceparent')?.split('-')[1]
    expect(lines.every((l) => l.trace_id === traceId)).toBe(true)
    expect(lines.slice(0, 2).every((l) => l.backfilled === true)).toBe(true)
    expect(lines[2]?.err).toMatchObject({ message: 'boom' })
    expect(lines[3]).toMatchObject({ status: 500 })
  })

  it('isolates concurrent requests', async () => {
    lines.length = 0
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        fetch(`${url}/ok`, {
          headers: {
            traceparent: `00-${TRACE.slice(0, 30)}${String(i).padStart(2, '0')}-00f067aa0ba902b7-01`,
          },
        }).then((r) => r.json()),
      ),
    )
    await new Promise((r) => setTimeout(r, 20))
    const served = lines.filter((l) => l.msg === 'profile served').map((l) => l.trace_id)
    const sent = (results as Array<{ traceparent: string }>).map((r) => r.traceparent.split('-')[1])
    expect(new Set(served).size).toBe(20)
    expect(new Set(served)).toEqual(new Set(sent))
  })
})
