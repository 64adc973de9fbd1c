import { context, ROOT_CONTEXT, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { describe, expect, it } from 'vitest'
import {
  createScope,
  currentScope,
  currentTraceIds,
  currentTraceparent,
  reserveOtelSlot,
  runInScope,
  setScopeFields,
} from './context.js'

const TP = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'

describe('request scope', () => {
  it('continues an incoming traceparent with a fresh span id', () => {
    const scope = createScope({ traceparent: TP, requestId: 'r1' })
    expect(scope.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736')
    expect(scope.parentSpanId).toBe('00f067aa0ba902b7')
    expect(scope.spanId).toMatch(/^[0-9a-f]{16}$/)
    expect(scope.spanId).not.toBe('00f067aa0ba902b7')
    expect(scope.requestId).toBe('r1')
  })

  it('starts a new trace for a missing or invalid traceparent', () => {
    const a = createScope({ traceparent: 'garbage' })
    const b = createScope()
    expect(a.traceId).toMatch(/^[0-9a-f]{32}$/)
    expect(a.traceId).not.toBe(b.traceId)
    expect(a.parentSpanId).toBeUndefined()
  })

  it('is visible across awaits and isolated between concurrent scopes', async () => {
    const seen: string[] = []
    const work = (tp: string) =>
      runInScope(createScope({ traceparent: tp }), async () => {
        await new Promise((r) => setTimeout(r, 5))
        seen.push(currentTraceIds()?.traceId ?? 'none')
      })
    await Promise.all([work(TP), work(TP.replace('4bf9', '1111'))])
    expect(seen.sort()).toEqual(
      ['1111' + '2f3577b34da6a3ce929d0e0e4736', '4bf92f3577b34da6a3ce929d0e0e4736'].sort(),
    )
    expect(currentScope()).toBeUndefined()
    expect(currentTraceIds()).toBeUndefined()
  })

  it('formats the outgoing traceparent and carries user fields', () => {
    const scope = createScope({ traceparent: TP })
    runInScope(scope, () => {
      setScopeFields({ userId: 'u1' })
      setScopeFields({ tenant: 't' })
      expect(currentTraceparent()).toBe(`00-${scope.traceId}-${scope.spanId}-01`)
    })
    expect(scope.fields).toEqual({ userId: 'u1', tenant: 't' })
    setScopeFields({ ignored: true })
  })

  it('lets an active OpenTelemetry span win over the scope', () => {
    const manager = new AsyncLocalStorageContextManager().enable()
    context.setGlobalContextManager(manager)
    try {
      const spanContext = { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1 }
      const ctx = trace.setSpanContext(ROOT_CONTEXT, spanContext)
      const scope = createScope({ traceparent: TP })
      const ids = runInScope(scope, () => context.with(ctx, () => currentTraceIds()))
      expect(ids).toEqual({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), sampled: true })
      // A scope opened under an active span joins its trace.
      const inner = context.with(ctx, () => createScope())
      expect(inner.traceId).toBe('a'.repeat(32))
      expect(runInScope(scope, () => currentTraceIds()?.traceId)).toBe(scope.traceId)
    } finally {
      context.disable()
    }
  })

  it('reserves an empty OpenTelemetry slot that the API fills when an SDK registers later', () => {
    const key = Symbol.for('opentelemetry.js.api.1')
    const g = globalThis as unknown as Record<symbol, unknown>
    const before = g[key]
    // Whatever an earlier test left registered is kept: the slot is only created when missing.
    reserveOtelSlot()
    expect(g[key]).toBe(before)
    delete g[key]
    try {
      reserveOtelSlot()
      expect(Object.getOwnPropertySymbols(globalThis)).toContain(key)
      expect(g[key]).toBeUndefined()
      expect(currentTraceIds()).toBeUndefined()
      const manager = new AsyncLocalStorageContextManager().enable()
      expect(context.setGlobalContextManager(manager)).toBe(true)
      try {
        const spanContext = { traceId: 'c'.repeat(32), spanId: 'd'.repeat(16), traceFlags: 1 }
        const ctx = trace.setSpanContext(ROOT_CONTEXT, spanContext)
        expect(context.with(ctx, () => currentTraceIds())).toEqual({
          traceId: 'c'.repeat(32),
          spanId: 'd'.repeat(16),
          sampled: true,
        })
      } finally {
        context.disable()
      }
    } finally {
      g[key] = before
    }
  })
})
