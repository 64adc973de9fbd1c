// Request-scoped context: one AsyncLocalStorage shared by every sieve in the process, so a scope opened
// by the Express middleware is visible to any logger. It lives on a globalThis symbol, so an ESM and a
// CommonJS copy of this package (or two bundles' copies) share it. An active OpenTelemetry span wins over
// our own ids, read from the OTel API's global without importing the API; we never register a context
// manager or propagator: that belongs to the user's OTel SDK.
import { AsyncLocalStorage } from 'node:async_hooks'
import { formatTraceparent, parseTraceparent, randomSpanId, randomTraceId } from '@logsieve/core/sdk'
import type { BackfillBuffer } from './backfill.js'

/** What a request scope carries. */
export interface Scope {
  /** 32 hex characters. */
  traceId: string
  /** 16 hex characters: the span of this service's work (a fresh child of the incoming parent). */
  spanId: string
  /** The caller's span id from an incoming `traceparent`, if any. */
  parentSpanId?: string
  sampled: boolean
  /** True when no trace came in (no `traceparent`, trace id or active span): Logsieve started this one. */
  localTrace?: boolean
  requestId?: string
  /** User fields (user id, tenant, …), added to kept lines by the integrations that support it. */
  fields?: Record<string, unknown>
  /** Dropped lines of this scope, replayed when an error is logged in it. */
  backfill?: BackfillBuffer
  /**
   * What an integration derived from `requestId` and `fields` (pino: their JSON), cached for the scope's
   * later lines. `setFields` clears it; clear it too when changing `fields` or `requestId` directly.
   */
  derived?: { owner: object; value: string }
}

export interface ScopeInit {
  /** An incoming W3C `traceparent` header: its trace id is continued. */
  traceparent?: string | null
  /** Use this trace id instead (32 hex characters). */
  traceId?: string
  requestId?: string
  fields?: Record<string, unknown>
}

export interface TraceIds {
  traceId: string
  spanId: string
  sampled: boolean
}

interface SharedContext {
  storage: AsyncLocalStorage<Scope>
  /**
   * False until a scope is first entered: until then there is no scope to find, and every log line skips
   * the AsyncLocalStorage lookup (~40 ns, a third of a dropped line's budget).
   */
  entered: boolean
}

/** One per process, whichever copy of this module (ESM, CommonJS, another bundle) created it first. */
const SHARED = Symbol.for('logsieve.context.v1')
const globals = globalThis as unknown as Record<symbol, SharedContext | undefined>
globals[SHARED] ??= { storage: new AsyncLocalStorage<Scope>(), entered: false }
const shared = globals[SHARED]
const storage = shared.storage

/** The scope of the current async context, if any. */
export function currentScope(): Scope | undefined {
  return shared.entered ? storage.getStore() : undefined
}

/** Run `fn` inside `scope`. */
export function runInScope<T>(scope: Scope, fn: () => T): T {
  shared.entered = true
  return storage.run(scope, fn)
}

const TRACE_ID = /^[0-9a-f]{32}$/

/** Build a scope: continue the incoming trace when there is one, otherwise start a new trace. */
export function createScope(init?: ScopeInit): Scope {
  const parent = parseTraceparent(init?.traceparent)
  const active = otelIds()
  const traceId =
    init?.traceId && TRACE_ID.test(init.traceId) ? init.traceId : (parent?.traceId ?? active?.traceId)
  const scope: Scope = {
    traceId: traceId ?? randomTraceId(),
    spanId: randomSpanId(),
    sampled: parent?.sampled ?? active?.sampled ?? true,
    localTrace: traceId === undefined,
  }
  if (parent) scope.parentSpanId = parent.spanId
  if (init?.requestId !== undefined) scope.requestId = init.requestId
  if (init?.fields) scope.fields = { ...init.fields }
  return scope
}

/** Where @opentelemetry/api 1.x registers its globals (api/src/internal/global-utils.ts). */
const OTEL_GLOBAL = Symbol.for('opentelemetry.js.api.1')
/** The context key of the active span (api/src/trace/context-utils.ts: createContextKey is Symbol.for). */
const SPAN_KEY = Symbol.for('OpenTelemetry Context Key SPAN')
interface OtelSpan {
  spanContext(): { traceId: string; spanId: string; traceFlags: number }
}
interface OtelGlobals {
  context?: { active(): { getValue(key: symbol): unknown } }
}
const otelGlobals = globalThis as unknown as Record<symbol, OtelGlobals | undefined>
const INVALID_TRACE_ID = '00000000000000000000000000000000'
const INVALID_SPAN_ID = '0000000000000000'
const SPAN_ID = /^[0-9a-f]{16}$/

/**
 * Give globalThis an empty OpenTelemetry slot when it has none. Reading a symbol-keyed property globalThis
 * lacks costs ~11 ns on every line (V8 cannot cache the absence of a global property); reading one it
 * has costs under 1 ns. An empty (undefined) slot is what the OTel API already treats as no globals: it
 * fills the slot with `?? { version }` when an SDK registers, and reads it with `?.`.
 */
export function reserveOtelSlot(): void {
  try {
    if (!(OTEL_GLOBAL in globalThis))
      Object.defineProperty(globalThis, OTEL_GLOBAL, { value: undefined, writable: true, configurable: true })
  } catch {
    // A frozen or locked-down global: otelIds still works, at the slower read.
  }
}

/** The ids of the active OpenTelemetry span, when an OTel SDK is running and a span is active. */
export function otelIds(): TraceIds | undefined {
  // No registered context manager means no active span: skip the lookup (about a third of a dropped
  // line's cost). The check is a property read, so an SDK started later is still seen. Kept this small
  // so that V8 inlines it into a level method (the lookup itself is a function of its own).
  const manager = otelGlobals[OTEL_GLOBAL]?.context
  return manager === undefined ? undefined : activeSpanIds(manager)
}

/** The active span's ids from a registered OTel context manager, if it has a valid one. */
function activeSpanIds(manager: NonNullable<OtelGlobals['context']>): TraceIds | undefined {
  try {
    const span = manager.active().getValue(SPAN_KEY) as OtelSpan | undefined
    if (span === undefined || typeof span.spanContext !== 'function') return undefined
    const ctx = span.spanContext()
    // The API's isSpanContextValid: well-formed and not the all-zero ids of a non-recording span.
    if (!TRACE_ID.test(ctx.traceId) || ctx.traceId === INVALID_TRACE_ID) return undefined
    if (!SPAN_ID.test(ctx.spanId) || ctx.spanId === INVALID_SPAN_ID) return undefined
    return { traceId: ctx.traceId, spanId: ctx.spanId, sampled: (ctx.traceFlags & 1) === 1 }
  } catch {
    // A foreign context manager that misbehaves: no OTel ids, our own scope still serves.
    return undefined
  }
}

/**
 * Trace ids for the current line: the active OpenTelemetry span's when there is one, else the
 * Logsieve scope's, else undefined.
 */
export function currentTraceIds(): TraceIds | undefined {
  const fromOtel = otelIds()
  if (fromOtel !== undefined) return fromOtel
  return currentScope()
}

/** The `traceparent` to send downstream (or back in a response) from the current context. */
export function currentTraceparent(): string | undefined {
  const ids = currentTraceIds()
  if (ids === undefined) return undefined
  return formatTraceparent({ traceId: ids.traceId, spanId: ids.spanId, sampled: ids.sampled })
}

/** Add user fields (user id, tenant, …) to the current scope. No-op outside a scope. */
export function setScopeFields(fields: Record<string, unknown>): void {
  const scope = currentScope()
  if (scope === undefined) return
  scope.fields = scope.fields ? Object.assign(scope.fields, fields) : { ...fields }
  scope.derived = undefined
}
