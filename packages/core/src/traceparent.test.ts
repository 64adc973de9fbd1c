import { describe, expect, it, vi } from 'vitest'
import {
  formatTraceparent,
  isValidSpanId,
  isValidTraceId,
  parseTraceparent,
  randomSpanId,
  randomTraceId,
} from './traceparent.js'

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'
const SPAN = '00f067aa0ba902b7'

describe('parseTraceparent', () => {
  it('parses the example header of the W3C spec', () => {
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-01`)).toEqual({
      traceId: TRACE,
      spanId: SPAN,
      sampled: true,
    })
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-00`)?.sampled).toBe(false)
  })

  it('reads the sampled bit from any flags byte', () => {
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-03`)?.sampled).toBe(true)
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-02`)?.sampled).toBe(false)
  })

  it('rejects all-zero ids, uppercase hex, version ff and malformed input', () => {
    expect(parseTraceparent(`00-${'0'.repeat(32)}-${SPAN}-01`)).toBeUndefined()
    expect(parseTraceparent(`00-${TRACE}-${'0'.repeat(16)}-01`)).toBeUndefined()
    expect(parseTraceparent(`00-${TRACE.toUpperCase()}-${SPAN}-01`)).toBeUndefined()
    expect(parseTraceparent(`ff-${TRACE}-${SPAN}-01`)).toBeUndefined()
    expect(parseTraceparent(`00-${TRACE}-${SPAN}`)).toBeUndefined()
    expect(parseTraceparent(`00-${TRACE.slice(1)}-${SPAN}-01`)).toBeUndefined()
    expect(parseTraceparent('')).toBeUndefined()
    expect(parseTraceparent(undefined)).toBeUndefined()
    expect(parseTraceparent(42)).toBeUndefined()
  })

  it('rejects trailing data on version 00 but accepts it on a future version', () => {
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-01-extra`)).toBeUndefined()
    expect(parseTraceparent(`01-${TRACE}-${SPAN}-01-extra`)).toEqual({
      traceId: TRACE,
      spanId: SPAN,
      sampled: true,
    })
  })
})

describe('formatTraceparent', () => {
  it('round-trips through parseTraceparent', () => {
    const ctx = { traceId: randomTraceId(), spanId: randomSpanId(), sampled: true }
    expect(formatTraceparent(ctx)).toBe(`00-${ctx.traceId}-${ctx.spanId}-01`)
    expect(parseTraceparent(formatTraceparent(ctx))).toEqual(ctx)
    expect(parseTraceparent(formatTraceparent({ ...ctx, sampled: false }))?.sampled).toBe(false)
  })
})

describe('random ids', () => {
  it('are valid lowercase hex of the right length and differ', () => {
    const traces = new Set<string>()
    for (let i = 0; i < 200; i++) {
      const t = randomTraceId()
      expect(isValidTraceId(t)).toBe(true)
      expect(isValidSpanId(randomSpanId())).toBe(true)
      traces.add(t)
    }
    expect(traces.size).toBe(200)
  })

  it('stay valid and distinct across many draws of random bytes', () => {
    const ids = new Set<string>()
    // 1,000 pairs use 24,000 bytes: several refills of the pool of random bytes.
    for (let i = 0; i < 1000; i++) {
      const t = randomTraceId()
      const s = randomSpanId()
      expect(isValidTraceId(t)).toBe(true)
      expect(isValidSpanId(s)).toBe(true)
      ids.add(t).add(s)
    }
    expect(ids.size).toBe(2000)
  })

  it('are never all zero, even when the random source gives zeros', () => {
    const real = globalThis.crypto.getRandomValues.bind(globalThis.crypto)
    let calls = 0
    const spy = vi
      .spyOn(globalThis.crypto, 'getRandomValues')
      .mockImplementation(<T extends ArrayBufferView | null>(a: T): T => {
        calls++
        // The first fill is all zeros; every id drawn from it must be refused.
        if (calls === 1 && a instanceof Uint8Array) a.fill(0)
        else if (a !== null) real(a)
        return a
      })
    try {
      // Enough draws to use up any bytes already held, so a zero-filled batch is reached.
      for (let i = 0; i < 1000; i++) expect(isValidSpanId(randomSpanId())).toBe(true)
      expect(calls).toBeGreaterThan(1)
    } finally {
      spy.mockRestore()
    }
  })

  it('validators reject wrong shapes', () => {
    expect(isValidTraceId('0'.repeat(32))).toBe(false)
    expect(isValidTraceId(TRACE.toUpperCase())).toBe(false)
    expect(isValidSpanId(TRACE)).toBe(false)
    expect(isValidSpanId(null)).toBe(false)
  })
})
