// createBrowserSieve outside a page (Node: no window, no storage) against a real local collector; the
// page behaviour (policy server, beacon, localStorage) is covered in test/browser.test.ts with chromium.
import { toSeverityNumber } from '@logsieve/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { recorder } from '../test/http.js'
import { encodeJson } from './otlp.js'
import { createBrowserSieve, pageSeverity } from './sieve.js'
import { traceFetch } from './trace.js'

let collector: Awaited<ReturnType<typeof recorder>>
beforeAll(async () => {
  collector = await recorder()
})
afterAll(() => collector.close())

describe('createBrowserSieve', () => {
  it('sends kept lines in the JSON format with signature, level and trace id', async () => {
    const sieve = createBrowserSieve({
      service: 'shop-web',
      endpoint: { url: `${collector.url}/json`, format: encodeJson },
    })
    expect(sieve.logger.info('cart 42 updated', { items: 3 })).toBe(true)
    expect(sieve.logger.error(new TypeError('boom'))).toBe(true)
    await sieve.shutdown()
    const batch = JSON.parse(collector.requests.find((r) => r.path === '/json')!.body)
    expect(batch.service).toBe('shop-web')
    expect(batch.environment).toBe('default')
    expect(batch.lines).toHaveLength(2)
    expect(batch.lines[0]).toMatchObject({
      level: 'info',
      msg: 'cart 42 updated',
      items: 3,
      trace_id: sieve.traceId,
    })
    expect(batch.lines[0].signature).toMatch(/^[0-9a-f]{16}$/)
    expect(batch.lines[1]).toMatchObject({ level: 'error', msg: 'boom', 'exception.type': 'TypeError' })
  })

  it('bounds the queue and counts what it drops', async () => {
    const sieve = createBrowserSieve({ service: 'shop-web', endpoint: `${collector.url}/otlp`, maxQueue: 2 })
    for (let i = 0; i < 5; i++) sieve.logger.warn(`retry ${i} for upload`)
    expect(sieve.dropped).toBe(3)
    await sieve.shutdown()
  })

  it('never throws into the caller, whatever it is given', async () => {
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    const diagnostics: Error[] = []
    const sieve = createBrowserSieve({
      service: 'shop-web',
      endpoint: 'http://127.0.0.1:9/unreachable',
      onDiagnostic: (e) => {
        diagnostics.push(e)
        throw new Error('a broken diagnostic callback')
      },
    })
    const odd: unknown[] = [Symbol('x'), undefined, null, 42, { toString: () => 'obj' }, cyclic]
    for (const value of odd) expect(typeof sieve.log('info', value, { cyclic })).toBe('boolean')
    expect(typeof sieve.log(Number.NaN, 'level NaN')).toBe('boolean')
    await expect(sieve.flush()).resolves.toBeUndefined()
    await expect(sieve.shutdown()).resolves.toBeUndefined()
  })

  it('patches fetch only while it runs, and newTrace() changes the trace id', async () => {
    const original = globalThis.fetch
    const sieve = createBrowserSieve({ service: 'shop-web', propagateTrace: traceFetch([collector.url]) })
    expect(globalThis.fetch).not.toBe(original)
    await (await fetch(`${collector.url}/api`)).text()
    expect(collector.requests.at(-1)!.headers.traceparent).toContain(sieve.traceId)
    const before = sieve.traceId
    expect(sieve.newTrace()).not.toBe(before)
    await sieve.shutdown()
    expect(globalThis.fetch).toBe(original)
  })
})

describe('pageSeverity', () => {
  it('maps pino numbers and the six level names in any case as core does; anything else is info', () => {
    const levels: unknown[] = [
      10,
      20,
      30,
      40,
      50,
      60,
      35,
      5,
      70,
      Number.NaN,
      'trace',
      'DEBUG',
      'Info',
      'warn',
    ]
    levels.push('error', 'FATAL')
    for (const level of levels) expect(pageSeverity(level)).toBe(toSeverityNumber(level))
    for (const level of ['silly', 'verbose', 'warning', 'crit', 'nope', '', undefined, null, {}, Symbol('x')])
      expect(pageSeverity(level)).toBe(9)
  })
})
