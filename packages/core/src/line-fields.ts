// Which of Logsieve's fields a kept line carries: one rule for every integration (pino, winston), so a
// line costs the same bytes whichever logger wrote it. A field is written when it says something the line
// does not already say; see docs/concepts.md (Fields on kept lines).

/** A field's switch: `false` never, `true` when it earns its bytes, `'always'` on every kept line. */
export type FieldSwitch = boolean | 'always'

/** The fields options every integration takes (`SievePinoOptions`, winston's `attachSieve` options). */
export interface LineFieldOptions {
  /**
   * `signature`: `true` writes it on lines of a pattern the policy samples (rate below 1, or a line that
   * stands for dropped ones), so that a sampled pattern's lines can be found and counted by signature; a
   * line of a pattern kept whole does not need it. Off by default: 31 bytes on every sampled line were
   * +25% of an average line alone, and the message already names most patterns. @default false
   */
  signatureField?: FieldSwitch
  /**
   * `trace_id`/`span_id`: `true` writes them when the trace came from outside (an incoming `traceparent`,
   * a trace id given to the scope, an active OpenTelemetry span), and not when OpenTelemetry's own
   * instrumentation already writes them on the line; `'always'` also for a trace Logsieve started itself.
   * @default true
   */
  traceFields?: FieldSwitch
  /** `request_id` (a caller's, see the Express middleware) and the scope's user fields (`sieve.setFields`). @default true */
  scopeFields?: boolean
}

/** Whether a kept line of pattern rate `rate` and weight `sampleRate` carries `signature`. */
export function writesSignature(mode: FieldSwitch | undefined, rate: number, sampleRate: number): boolean {
  // typeof first: comparing a boolean with a string takes V8 a generic call on every kept line.
  return typeof mode === 'string' ? mode === 'always' : mode === true && (rate < 1 || sampleRate !== 1)
}

/** Whether a kept line carries `trace_id`/`span_id`; `local`: the trace was started by Logsieve itself. */
export function writesTrace(mode: FieldSwitch | undefined, local: boolean): boolean {
  return typeof mode === 'string' ? mode === 'always' : mode !== false && !local
}

/** Whether a kept line carries `sample_rate`: only when it stands for more than itself. */
export function writesSampleRate(sampleRate: number): boolean {
  return sampleRate !== 1
}
