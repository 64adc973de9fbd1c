import { describe, expect, it } from 'vitest'
import { createSampler } from './sampler.js'
import { computeSignature, templateSignature } from './signature.js'
import { structuralMessage } from './structural-message.js'

// The vectors docs/signature.md lists: the object of a message-less line, and the text it is signed by.
const VECTORS: Array<[object, string, boolean]> = [
  [{ event: 'cart.updated', cartId: 'c1', items: 3 }, '[event] cart.updated', false],
  [{ msg: 'ready', port: 80 }, '[msg] ready', false],
  [{ message: 'user 42 signed in' }, '[message] user 42 signed in', false],
  [{ event_name: 'checkout' }, '[event_name] checkout', false],
  [{ eventName: 'checkout' }, '[eventName] checkout', false],
  [{ action: 'refund', amount: 3 }, '[action] refund', false],
  [{ type: 'heartbeat' }, '[type] heartbeat', false],
  // event wins over type, whatever the key order
  [{ type: 'audit', event: 'login' }, '[event] login', false],
  // not a string, or empty: the key set
  [{ event: 42, b: 1 }, '{b,event}', true],
  [{ event: '', b: 1 }, '{b,event}', true],
  [{ total: 12, orderId: 7 }, '{orderId,total}', true],
  [{ orderId: 7, total: 12 }, '{orderId,total}', true],
  [{ orderId: 7, note: undefined }, '{orderId}', true],
  [{}, '{}', true],
]

describe('structuralMessage', () => {
  it.each(VECTORS)('%j → %s', (obj, text, isFormat) => {
    expect(structuralMessage(obj)).toEqual({ text, isFormat })
  })

  it('gives different statements different signatures, and one statement one', () => {
    const sign = (o: object) => {
      const s = structuralMessage(o)
      return (s.isFormat ? templateSignature(s.text) : computeSignature(s.text)).signature
    }
    const sigs = new Set(VECTORS.map(([o]) => sign(o)))
    // 14 vectors, two pairs of which are one statement each (key order; an undefined value aside)
    expect(sigs.size).toBe(12)
    expect(sign({ event: 'order 7 paid' })).toBe(sign({ event: 'order 8 paid' }))
    expect(sign({ orderId: 1, user: 'a' })).not.toBe(sign({ orderId: 1, sku: 'a' }))
  })

  it('bounds the key set and survives throwing getters', () => {
    const wide = Object.fromEntries(
      Array.from({ length: 100 }, (_, i) => [`k${String(i).padStart(3, '0')}`, i]),
    )
    const text = structuralMessage(wide).text
    expect(text.split(',')).toHaveLength(32)
    const hostile = Object.defineProperty({ a: 1 }, 'event', {
      enumerable: true,
      get() {
        throw new Error('getter')
      },
    })
    expect(() => structuralMessage(hostile)).not.toThrow()
  })

  it('is one pattern per statement in the sampler, never one for all', () => {
    const s = createSampler()
    for (const [o] of VECTORS) {
      const m = structuralMessage(o)
      s.decide('info', m.text, { isFormat: m.isFormat })
    }
    expect(s.stats.snapshot().rows.length).toBe(12)
  })
})
