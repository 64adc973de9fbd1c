// Error-triggered backfill: lines dropped inside a request scope wait in a small ring buffer; when an
// error is logged in the same scope they are written first, so the story behind an error survives
// sampling. Each scope caps its line count; one pool per sieve caps the bytes held process-wide.

/**
 * Replays one buffered line through the logger that dropped it. A plain function taking its state as
 * arguments (no closure per dropped line): integrations pass one static replayer.
 */
export type Replayer = (target: unknown, payload: unknown, signature: string) => void

interface Entry {
  target: unknown
  payload: unknown
  replay: Replayer
  signature: string
  bytes: number
}

/** Process-wide byte budget shared by every scope of one sieve. */
export class BackfillPool {
  used = 0
  /** Lines refused or evicted because a cap was reached. */
  evicted = 0
  constructor(
    readonly maxBytes: number,
    readonly maxLinesPerScope: number,
  ) {}
}

let replayDepth = 0

/** True while backfilled lines are being written: integrations mark those lines `backfilled: true`. */
export function isReplaying(): boolean {
  return replayDepth > 0
}

export class BackfillBuffer {
  private entries: Entry[] = []
  private head = 0
  private bytes = 0
  private closed = false

  constructor(private readonly pool: BackfillPool) {}

  /** Lines currently held. */
  get size(): number {
    return this.entries.length - this.head
  }

  /** Hold one dropped line. Returns false when it was refused (scope closed or pool full). */
  push(target: unknown, payload: unknown, replay: Replayer, signature: string, bytes: number): boolean {
    if (this.closed || this.pool.maxLinesPerScope <= 0) return false
    const pool = this.pool
    // Oldest lines go first: the lines just before an error matter most.
    while (this.size >= pool.maxLinesPerScope || (pool.used + bytes > pool.maxBytes && this.size > 0)) {
      this.evictOldest()
    }
    if (pool.used + bytes > pool.maxBytes) {
      pool.evicted++
      return false
    }
    this.entries.push({ target, payload, replay, signature, bytes })
    this.bytes += bytes
    pool.used += bytes
    return true
  }

  /**
   * Write every held line, oldest first, then empty the buffer. A failing replay is reported and the
   * rest still run.
   */
  drain(onError?: (error: unknown) => void): number {
    if (this.size === 0) return 0
    const entries = this.entries
    const start = this.head
    this.release()
    replayDepth++
    let written = 0
    try {
      for (let i = start; i < entries.length; i++) {
        const e = entries[i] as Entry
        try {
          e.replay(e.target, e.payload, e.signature)
          written++
        } catch (error) {
          onError?.(error)
        }
      }
    } finally {
      replayDepth--
    }
    return written
  }

  /** Free the buffer (the scope ended). Later pushes are refused. */
  close(): void {
    this.release()
    this.closed = true
  }

  private evictOldest(): void {
    const e = this.entries[this.head]
    if (e === undefined) return
    this.entries[this.head] = undefined as unknown as Entry
    this.head++
    this.bytes -= e.bytes
    this.pool.used -= e.bytes
    this.pool.evicted++
    // Compact now and then so the array does not grow with evictions.
    if (this.head > 64 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head)
      this.head = 0
    }
  }

  private release(): void {
    this.pool.used -= this.bytes
    this.bytes = 0
    this.entries = []
    this.head = 0
  }
}

/** Rough size of a log call's arguments without serializing them (strings counted, objects flat-rated). */
export function estimateArgsBytes(args: ArrayLike<unknown>): number {
  let n = 64
  for (let i = 0; i < args.length; i++) {
    const a = args[i]
    if (typeof a === 'string') n += a.length
    else if (a !== null && typeof a === 'object') n += 128
    else n += 8
  }
  return n
}
