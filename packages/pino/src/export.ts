// What a kept line sends besides its write: an example for the server, and an OTLP record. Both render
// the line from its own arguments (render.ts), so a backfill replay in between cannot change them.
import type { Decision } from '@logsieve/core/sdk'
import { isReplaying, type SieveIntegration, type TraceIds } from '@logsieve/node'
import { renderExample, renderMessage } from './render.js'

// Outside the integration on purpose: a closure there would make V8 allocate a context for `args` on
// every call, dropped lines included.
export function takeExample(sieve: SieveIntegration, d: Decision, args: ArrayLike<unknown>): void {
  sieve.example(d, () => renderExample(args))
}

export function exportLine(
  sieve: SieveIntegration,
  args: ArrayLike<unknown>,
  severity: number,
  levelName: string,
  signature: string,
  sampleRate: number,
  ids: TraceIds | undefined,
): void {
  const attributes: Record<string, unknown> = {}
  const a0 = args[0]
  if (a0 instanceof Error) attributes.err = a0
  else if (a0 !== null && typeof a0 === 'object') Object.assign(attributes, a0)
  attributes.signature = signature
  if (sampleRate !== 1) attributes.sample_rate = sampleRate
  if (isReplaying()) attributes.backfilled = true
  sieve.export({
    severityNumber: severity,
    severityText: levelName,
    body: renderMessage(args),
    attributes,
    timestamp: Date.now(),
    ...(ids ? { traceId: ids.traceId, spanId: ids.spanId } : {}),
  })
}
