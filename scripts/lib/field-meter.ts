// What a user measures: the bytes a logger writes with Logsieve against the bytes a plain "shadow" logger
// writes for the same calls, split at the moment the first generated policy applied; errors kept; and
// whether Σ sample_rate over the written lines gives back the number of calls per level.

/** Fields Logsieve adds to a kept line (stripped to get its plain size). */
const ADDED = ['signature', 'sample_rate', 'trace_id', 'span_id', 'request_id', 'backfilled', 'logged_at']

export interface Split {
  before: number
  after: number
}

export class FieldMeter {
  /** ms since epoch when the first generated policy applied. */
  policyAt: number | undefined
  readonly plain: Split = { before: 0, after: 0 }
  readonly written: Split = { before: 0, after: 0 }
  /** Bytes of the written lines after the policy, and of the same lines without Logsieve's fields. */
  keptWritten = 0
  keptStripped = 0
  keptLines = 0
  readonly calls = new Map<string, number>()
  readonly weights = new Map<string, number>()
  /** Calls per statement (level and message, numbers masked) so far, and as of its last written line. */
  private readonly statementCalls = new Map<string, number>()
  private readonly callsAtLastKept = new Map<string, number>()
  errorsSeen = 0
  errorsKept = 0

  constructor(private readonly levelOf: (line: Record<string, unknown>) => string) {}

  private split(s: Split, n: number): void {
    if (this.policyAt === undefined) s.before += n
    else s.after += n
  }

  /** A line of the plain logger: one call. */
  shadow(text: string): void {
    for (const line of text.split('\n')) {
      if (!line) continue
      this.split(this.plain, Buffer.byteLength(line) + 1)
      const o = JSON.parse(line) as Record<string, unknown>
      const level = this.levelOf(o)
      this.calls.set(level, (this.calls.get(level) ?? 0) + 1)
      const k = statementOf(level, o)
      this.statementCalls.set(k, (this.statementCalls.get(k) ?? 0) + 1)
      if (level === 'error') this.errorsSeen++
    }
  }

  /** A line the Logsieve logger wrote. */
  kept(text: string): void {
    for (const line of text.split('\n')) {
      if (!line) continue
      const bytes = Buffer.byteLength(line) + 1
      this.split(this.written, bytes)
      const o = JSON.parse(line) as Record<string, unknown>
      const level = this.levelOf(o)
      const w = typeof o.sample_rate === 'number' ? o.sample_rate : 1
      this.weights.set(level, (this.weights.get(level) ?? 0) + w)
      // The shadow got the same call first: its count now includes this line's.
      if (w > 0) {
        const k = statementOf(level, o)
        this.callsAtLastKept.set(k, this.statementCalls.get(k) ?? 0)
      }
      if (level === 'error' && o.backfilled === undefined) this.errorsKept++
      if (this.policyAt !== undefined) {
        for (const k of ADDED) delete o[k]
        this.keptWritten += bytes
        this.keptStripped += Buffer.byteLength(JSON.stringify(o)) + 1
        this.keptLines++
      }
    }
  }

  /** Worst relative error of Σ sample_rate against the calls, over levels with at least 100 calls. */
  countError(): number {
    return worstError(this.weights, this.calls)
  }

  /**
   * The same against the calls up to each statement's last written line. A kept line stands for the
   * drops before it, so the drops after a statement's last kept line are in no weight: at rate 1/64 on
   * lines kept by whole jobs, a run's end misses a few hundred of them. This measures the weights alone.
   */
  countErrorToLastKept(): number {
    const calls = new Map<string, number>()
    for (const [k, n] of this.callsAtLastKept) {
      const level = k.slice(0, k.indexOf(' '))
      calls.set(level, (calls.get(level) ?? 0) + n)
    }
    return worstError(this.weights, calls)
  }
}

function worstError(weights: Map<string, number>, calls: Map<string, number>): number {
  let worst = 0
  for (const [level, n] of calls) {
    if (n < 100) continue
    worst = Math.max(worst, Math.abs((weights.get(level) ?? 0) - n) / n)
  }
  return worst
}

/** A log statement of the field apps: its level and message (or event) with numbers masked. */
function statementOf(level: string, o: Record<string, unknown>): string {
  const text = String(o.msg ?? o.message ?? '') || String(o.event ?? '')
  return `${level} ${text.replace(/\d+/g, '#')}`
}

/** Pino's numeric levels as names. */
export const pinoLevel = (o: Record<string, unknown>): string =>
  ({ 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'error' })[o.level as number] ?? 'other'
/** Winston's level names. */
export const winstonLevel = (o: Record<string, unknown>): string => String(o.level)
