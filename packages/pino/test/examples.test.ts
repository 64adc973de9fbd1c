// `examples: true` sends one redacted example line per pattern with the stats: secrets never leave.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { gunzipSync } from 'node:zlib'
import { createSieve } from '@logsieve/node'
import pino from 'pino'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { sievePino } from '../src/index.js'

interface Batch {
  patterns: Array<{ template: string; example?: string; seen: number }>
}

let receiver: Server
let url: string
const batches: Batch[] = []

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v1/stats') {
        batches.push(JSON.parse(gunzipSync(Buffer.concat(chunks)).toString()) as Batch)
        res.statusCode = 202
        return res.end('{}')
      }
      res.statusCode = 404
      res.end('{"error":{"code":"not_found","message":"no"}}')
    })
  })
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r))
  url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`
})
afterAll(() => new Promise((r) => receiver.close(r)))

it('sends a redacted example per pattern, once per window', async () => {
  const sieve = createSieve({
    service: 'ex',
    server: { url },
    cacheDir: false,
    examples: true,
    onDiagnostic: () => {},
  })
  const log = pino(sievePino(sieve), { write: () => {} })
  for (let i = 0; i < 3; i++) {
    log.info({ user: 'ada@example.com', password: `hunter${i}`, token: 'abc' }, 'login for %s', 'ada')
  }
  log.warn('card 4111 1111 1111 1111 declined, Authorization: Bearer eyJhbGciOi.eyJzdWIi.c2ln')
  await sieve.shutdown()
  expect(batches).toHaveLength(1)
  const login = batches[0]?.patterns.find((p) => p.template === 'login for %s')
  expect(login?.seen).toBe(3)
  expect(login?.example).toContain('login for ada')
  expect(login?.example).not.toMatch(/hunter|ada@example\.com|"abc"/)
  const card = batches[0]?.patterns.find((p) => p.template.startsWith('card'))
  expect(card?.example).toBeDefined()
  expect(card?.example).not.toMatch(/4111 1111|eyJhbGciOi/)
})
