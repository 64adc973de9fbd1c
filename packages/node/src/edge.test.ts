// The edge entry mirrors the Node.js entry name for name, and every function in it says what to do.
import { expect, it } from 'vitest'
import * as edge from './edge.js'
import * as node from './index.js'

it('exports every name the Node.js entry exports', () => {
  expect(Object.keys(edge).sort()).toEqual(Object.keys(node).sort())
})

it('throws LOGSIEVE_EDGE, naming the Node.js runtime as the fix, from every function', () => {
  for (const [name, value] of Object.entries(edge)) {
    if (typeof value !== 'function') continue
    expect(() => (value as () => unknown)(), name).toThrow(/^LOGSIEVE_EDGE: .*runtime = 'nodejs'/)
  }
  expect(() => edge.createSieve({ service: 'edge' })).toThrow(/@logsieve\/node runs in the Node\.js runtime/)
})
