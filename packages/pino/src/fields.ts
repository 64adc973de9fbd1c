// The fields a kept line gains, as a JSON fragment (`,"k":v…`) appended to the logger's bindings while
// pino writes it. Which fields: core's rule (writesSignature, writesTrace, writesSampleRate), shared with
// winston. A field the line already has (the merge object's, the bindings', a mixin's) is left out:
// a JSON line never holds one key twice.
import { type LineFieldOptions, writesSampleRate, writesSignature, writesTrace } from '@logsieve/core/sdk'
import type { Scope, TraceIds } from '@logsieve/node'
import { safeJson } from './render.js'

// The groups of fields a fragment holds (see GROUP_KEYS).
const TRACE = 1
const SIGNATURE = 2
const RATE = 4
const SCOPE = 8
const BACKFILL = 16
/** Each fixed group of fields and its keys (a scope's keys depend on the scope). */
const GROUP_KEYS: ReadonlyArray<readonly [number, readonly string[]]> = [
  [TRACE, ['trace_id', 'span_id']],
  [SIGNATURE, ['signature']],
  [RATE, ['sample_rate']],
  [BACKFILL, ['backfilled', 'logged_at']],
]
/** Bindings strings whose keys are held parsed at most (the map starts over when full). */
const MAX_BINDINGS = 256

export interface Fields {
  /** The fragment of one kept line; '' when it gains nothing. */
  fragment(
    signature: string,
    rate: number,
    sampleRate: number,
    ids: TraceIds | undefined,
    localTrace: boolean,
    scope: Scope | undefined,
    loggedAt: number,
  ): string
  /**
   * False when a line surely gains nothing (outside a trace and a request, weight 1, no signature to
   * write): fragment's first answer, so a caller can skip it. True: the fragment may hold fields.
   */
  mayAdd(
    rate: number,
    sampleRate: number,
    ids: TraceIds | undefined,
    scope: Scope | undefined,
    loggedAt: number,
  ): boolean
  /** `extra` without the keys `mergeObject` or the serialized `bindings` already hold. */
  dedupe(extra: string, mergeObject: unknown, bindings: unknown): string
}

export function createFields(options: LineFieldOptions | undefined): Fields {
  const signatureMode = options?.signatureField
  const traceMode = options?.traceFields ?? true
  const scopeFields = options?.scopeFields ?? true
  /** This integration, as the owner of what it caches on scopes. */
  const owner = {}
  // The last pattern's fragment, the last weight's and the last trace's: consecutive lines of one
  // pattern or request (a loop, a burst) reuse them instead of concatenating each time.
  let lastSignature = ''
  let signatureJson = ''
  let lastRate = 1
  let rateJson = ''
  let lastTraceId = ''
  let lastSpanId = ''
  let traceJson = ''
  // The last live line's fragment and its parts.
  let out = ''
  let outTrace = ''
  let outSig = ''
  let outWeight = ''
  let outFields = ''
  // What the last fragment holds, for dedupe: a bit per group of fields, and its scope.
  let held = 0
  let heldScope: Scope | undefined
  const bindingKeys = new Map<string, Set<string>>()
  let lastBindings = ''
  let lastKeys = new Set<string>()

  const mayAdd: Fields['mayAdd'] = (rate, sampleRate, ids, scope, loggedAt) =>
    ids !== undefined ||
    scope !== undefined ||
    loggedAt !== 0 ||
    writesSampleRate(sampleRate) ||
    writesSignature(signatureMode, rate, sampleRate)

  const fragment: Fields['fragment'] = (signature, rate, sampleRate, ids, localTrace, scope, loggedAt) => {
    // Most kept lines gain nothing (outside a trace and a request, weight 1): answered here, small enough
    // for V8 to inline into the kept path, so such a line never runs build's code.
    if (!mayAdd(rate, sampleRate, ids, scope, loggedAt)) {
      held = 0
      return ''
    }
    return build(signature, rate, sampleRate, ids, localTrace, scope, loggedAt)
  }

  const build: Fields['fragment'] = (signature, rate, sampleRate, ids, localTrace, scope, loggedAt) => {
    held = 0
    let trace = ''
    if (ids !== undefined && writesTrace(traceMode, localTrace)) {
      if (ids.traceId !== lastTraceId || ids.spanId !== lastSpanId) {
        lastTraceId = ids.traceId
        lastSpanId = ids.spanId
        traceJson = `,"trace_id":"${ids.traceId}","span_id":"${ids.spanId}"`
      }
      trace = traceJson
      held |= TRACE
    }
    let sig = ''
    if (signature !== '' && writesSignature(signatureMode, rate, sampleRate)) {
      if (signature !== lastSignature) {
        lastSignature = signature
        signatureJson = `,"signature":"${signature}"`
      }
      sig = signatureJson
      held |= SIGNATURE
    }
    let weight = ''
    if (writesSampleRate(sampleRate)) {
      if (sampleRate !== lastRate) {
        lastRate = sampleRate
        rateJson = `,"sample_rate":${sampleRate}`
      }
      weight = rateJson
      held |= RATE
    }
    let fields = ''
    if (scopeFields && scope !== undefined && (scope.requestId !== undefined || scope.fields !== undefined)) {
      // Serialized once per scope (and again after setFields), not on every line of the request.
      const derived = scope.derived
      if (derived !== undefined && derived.owner === owner) fields = derived.value
      else {
        fields = scopeJson(scope)
        scope.derived = { owner, value: fields }
      }
      held |= SCOPE
      heldScope = scope
    }
    if (loggedAt !== 0) {
      held |= BACKFILL
      return `${trace}${sig}${weight}${fields},"backfilled":true,"logged_at":${loggedAt}`
    }
    if (held === 0) return ''
    // The same string while its parts are the same (a request's lines of one pattern, a loop): the
    // bindings joined with it are then reused as they are (integration.ts join).
    if (trace !== outTrace || sig !== outSig || weight !== outWeight || fields !== outFields) {
      outTrace = trace
      outSig = sig
      outWeight = weight
      outFields = fields
      out = `${trace}${sig}${weight}${fields}`
    }
    return out
  }

  function dedupe(extra: string, mergeObject: unknown, bindings: unknown): string {
    if (extra === '') return extra
    const obj =
      mergeObject !== null && typeof mergeObject === 'object' && !(mergeObject instanceof Error)
        ? (mergeObject as Record<string, unknown>)
        : undefined
    const inBindings = typeof bindings === 'string' && bindings !== '' ? keysOf(bindings) : undefined
    let clash: string[] | undefined
    // The fixed groups' keys, read from a table: no array per line.
    for (const [group, keys] of GROUP_KEYS) {
      if ((held & group) !== 0) for (const k of keys) clash = withClash(clash, k, obj, inBindings)
    }
    if (held & SCOPE && heldScope !== undefined) {
      if (heldScope.requestId !== undefined) clash = withClash(clash, 'request_id', obj, inBindings)
      if (heldScope.fields !== undefined)
        for (const k of Object.keys(heldScope.fields)) clash = withClash(clash, k, obj, inBindings)
    }
    // Not held past its line: a scope that ended must not stay alive here.
    heldScope = undefined
    return clash === undefined ? extra : withoutKeys(extra, clash)
  }

  /** The keys of serialized bindings (`,"k":v…`), parsed once per bindings string. */
  function keysOf(bindings: string): Set<string> {
    // A logger's lines share one bindings string: the last one's keys without a map lookup.
    if (bindings === lastBindings) return lastKeys
    let keys = bindingKeys.get(bindings)
    if (keys === undefined) {
      if (bindingKeys.size >= MAX_BINDINGS) bindingKeys.clear()
      keys = new Set(Object.keys(parseFragment(bindings)))
      bindingKeys.set(bindings, keys)
    }
    lastBindings = bindings
    lastKeys = keys
    return keys
  }

  return { fragment, mayAdd, dedupe }
}

/**
 * `clash` with `k` added when the line already has key `k`: the bindings hold it, or the merge object
 * does (pino writes a merge object's own keys whose value is defined).
 */
function withClash(
  clash: string[] | undefined,
  k: string,
  obj: Record<string, unknown> | undefined,
  inBindings: Set<string> | undefined,
): string[] | undefined {
  if (!((obj !== undefined && Object.hasOwn(obj, k) && obj[k] !== undefined) || inBindings?.has(k) === true))
    return clash
  const out = clash ?? []
  out.push(k)
  return out
}

/** The keys among `keys` that a fragment holds at its top level. */
export function fragmentClashes(extra: string, keys: Iterable<string>): string[] | undefined {
  let clash: string[] | undefined
  let parsed: Record<string, unknown> | undefined
  for (const k of keys) {
    // A cheap look first; the parse decides (a value may hold the same text).
    if (!extra.includes(`"${k}":`)) continue
    parsed ??= parseFragment(extra)
    if (Object.hasOwn(parsed, k)) {
      clash ??= []
      clash.push(k)
    }
  }
  return clash
}

/** A fragment without the given top-level keys. */
export function withoutKeys(extra: string, drop: readonly string[]): string {
  const parsed = parseFragment(extra)
  let out = ''
  for (const k of Object.keys(parsed)) {
    if (!drop.includes(k)) out += `,${JSON.stringify(k)}:${JSON.stringify(parsed[k])}`
  }
  return out
}

/** `,"a":1,"b":2` as an object ({} when it is not JSON). */
function parseFragment(fragment: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(`{${fragment.slice(1)}}`)
    return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}

/** A scope's `request_id` and user fields as a JSON fragment. */
function scopeJson(scope: Scope): string {
  let out = ''
  if (scope.requestId !== undefined) out += `,"request_id":${JSON.stringify(scope.requestId)}`
  if (scope.fields !== undefined) {
    for (const key in scope.fields) {
      const value = safeJson(scope.fields[key])
      if (value !== '') out += `,${JSON.stringify(key)}:${value}`
    }
  }
  return out
}
