import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createShop } from '../src/app.js'

type Line = Record<string, unknown>
const lines: Line[] = []
const shop = createShop({ write: (s: string) => void lines.push(JSON.parse(s) as Line) })
let url = ''
let close: () => Promise<void>

beforeAll(async () => {
  const server = shop.app.listen(0, '127.0.0.1')
  await new Promise((r) => server.once('listening', r))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  close = () => new Promise((r) => server.close(() => r()))
})
afterAll(async () => {
  await close()
  await shop.sieve.shutdown()
})

it('samples the busy pattern, keeps whole failing requests', async () => {
  for (let i = 0; i < 200; i++) await fetch(`${url}/products/${i}`)
  const viewed = lines.filter((l) => String(l.msg).startsWith('product '))
  expect(viewed.length).toBeGreaterThan(5)
  expect(viewed.length).toBeLessThan(70)
  // The first view is the pattern's floor line for this minute; each later kept line stands for itself
  // and the views dropped since the previous kept one, so the weights add up to the real count.
  expect(viewed[0]?.msg).toBe('product 0 viewed')
  const id = (l: Line) => Number(String(l.msg).split(' ')[1])
  for (let k = 1; k < viewed.length; k++) {
    expect(viewed[k]!.sample_rate ?? 1).toBe(id(viewed[k]!) - id(viewed[k - 1]!))
  }
  expect(lines.some((l) => String(l.msg).startsWith('cache lookup'))).toBe(false)

  lines.length = 0
  // A caller's trace: its id is continued and written on the request's lines (a trace Logsieve starts
  // itself is not written: it would only restate that the lines belong together, see docs/concepts.md).
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736'
  const res = await fetch(`${url}/checkout?fail=1`, {
    method: 'POST',
    headers: { 'x-user': 'ada', traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
  })
  expect(res.status).toBe(500)
  await new Promise((r) => setTimeout(r, 20))
  expect(lines.map((l) => l.msg)).toEqual([
    'validating cart',
    'reserving stock',
    'unhandled error',
    'request failed',
  ])
  expect(res.headers.get('traceparent')?.split('-')[1]).toBe(traceId)
  expect(lines.every((l) => l.userId === 'ada' && l.trace_id === traceId)).toBe(true)
})
