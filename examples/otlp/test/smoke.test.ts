import { describe, expect, it } from 'vitest'
import { runExample } from '../src/main.js'

describe('examples/otlp', () => {
  it('exports kept lines, samples the noisy debug pattern, spools and replays', async () => {
    const printed: string[] = []
    const { received, replayed } = await runExample((line) => printed.push(line))

    const bodies = received.map((record) => record.body)
    expect(bodies).toContain('user alice logged in')
    const error = received.find((record) => record.body === 'payment failed')
    expect(error).toMatchObject({ severity: 'error', service: 'checkout', attributes: { orderId: 'o-17' } })
    expect(error?.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736')
    // 200 debug lines at rate 1/8: a fraction is kept, each weighted 8 (all 200 or none: ~1e-11 odds)
    const debug = received.filter((record) => record.severity === 'debug')
    expect(debug.length).toBeGreaterThan(0)
    expect(debug.length).toBeLessThan(200)
    for (const line of debug) expect(line.attributes.sample_rate).toBe(8)

    expect(replayed).toBe(1)
    expect(bodies.filter((body) => body === 'disk almost full')).toHaveLength(1)
    expect(printed.some((line) => line.startsWith('collector down, spool now:'))).toBe(true)
  })
})
