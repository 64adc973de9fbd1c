// The route module is called the way Next.js calls it: with a real Request, returning a real Response.
import { afterAll, expect, it } from 'vitest'
import { GET } from '../src/app/api/orders/route.js'
import { output, sieve } from '../src/lib/log.js'

const lines: Array<Record<string, unknown>> = []
output.stream = { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) }
afterAll(() => sieve.shutdown())

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'

it('continues the trace and answers with traceparent', async () => {
  const res = await GET(
    new Request('http://localhost/api/orders?id=o-1', {
      headers: { traceparent: `00-${TRACE}-00f067aa0ba902b7-01` },
    }),
    undefined,
  )
  expect(res.status).toBe(200)
  expect(res.headers.get('traceparent')).toMatch(new RegExp(`^00-${TRACE}-[0-9a-f]{16}-01$`))
  expect(((await res.json()) as { id: string }).id).toBe('o-1')
  expect(lines.map((l) => l.msg)).toEqual(['order o-1 served'])
  expect(lines[0]?.trace_id).toBe(TRACE)
})

it('backfills the debug line before an error', async () => {
  lines.length = 0
  const res = await GET(new Request('http://localhost/api/orders'), undefined)
  expect(res.status).toBe(400)
  expect(lines.map((l) => l.msg)).toEqual(['looking up order null', 'missing order id'])
  expect(lines[0]?.backfilled).toBe(true)
})
