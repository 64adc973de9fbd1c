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
    // 200 debug lines at rate 1/8: the minute's first (the floor) and about one in eight of the rest are
    // kept, each standing for itself and the lines dropped since the previous kept one.
    const debug = received.filter((record) => record.severity === 'debug')
    expect(debug.length).toBeGreaterThan(0)
    expect(debug.length).toBeLessThan(200)
    let previous = -1
    for (const line of debug) {
      const i = Number(String(line.body).replace('cache lookup for key k', ''))
      expect(line.attributes.sample_rate ?? 1).toBe(i - previous)
      previous = i
    }

    expect(replayed).toBe(1)
    expect(bodies.filter((body) => body === 'disk almost full')).toHaveLength(1)
    expect(printed.some((line) => line.startsWith('collector down, spool now:'))).toBe(true)
  })
})
