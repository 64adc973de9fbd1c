// Error-triggered backfill: lines dropped inside a request scope wait in a small ring buffer; when an
// error is logged in the same scope they are written first, so the story behind an error survives
// sampling. Each scope caps its line count; one pool per sieve caps the bytes held process-wide.

/**
 * Replays one buffered line through the logger that dropped it, with the time it was logged (ms since
 * epoch). A plain function taking its state as arguments (no closure per dropped line): integrations pass
 * one replayer per logger method.
 */
export type Replayer = (target: unknown, payload: unknown, signature: string, loggedAt: number) => void

interface Entry {
  target: unknown
  payload: unknown
  replay: Replayer
  signature: string
  bytes: number
  loggedAt: number
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
/** The ring of every closed buffer: never written, since a closed buffer refuses lines. */
const CLOSED_RING: Entry[] = []

/** True while backfilled lines are being written: integrations mark those lines `backfilled: true`. */
export function isReplaying(): boolean {
  return replayDepth > 0
}

/**
 * One scope's dropped lines: a ring of at most `maxLinesPerScope` entries, oldest first. A full ring
 * overwrites its oldest entry in place, so a long scope that drops many lines allocates nothing per line
 * for the buffer itself (an array that grew and was compacted cost a dropped line ~100 ns more).
 */
export class BackfillBuffer {
  private ring: Entry[] = []
  /** Index of the oldest held line. */
  private start = 0
  private count = 0
  private bytes = 0
  private closed = false

  constructor(private readonly pool: BackfillPool) {}

  /** Lines currently held. */
  get size(): number {
    return this.count
  }

  /**
   * Hold one dropped line, logged now. `payload` is kept as it is (the caller hands over a value nobody
   * else changes). Returns false when it was refused (scope closed or pool full).
   */
  push(target: unknown, payload: unknown, replay: Replayer, signature: string, bytes: number): boolean {
    const pool = this.pool
    const cap = pool.maxLinesPerScope
    if (this.closed || cap <= 0) return false
    // Oldest lines go first: the lines just before an error matter most.
    while (this.count >= cap || (pool.used + bytes > pool.maxBytes && this.count > 0)) this.evictOldest()
    if (pool.used + bytes > pool.maxBytes) {
      pool.evicted++
      return false
    }
    let i = this.start + this.count
    if (i >= cap) i -= cap
    const loggedAt = Date.now()
    const e = this.ring[i]
    // Until the ring is full, i is its length (lines are only ever removed from the front).
    if (e === undefined) this.ring.push({ target, payload, replay, signature, bytes, loggedAt })
    else {
      e.target = target
      e.payload = payload
      e.replay = replay
      e.signature = signature
      e.bytes = bytes
      e.loggedAt = loggedAt
    }
    this.count++
    this.bytes += bytes
    pool.used += bytes
    return true
  }

  /**
   * Write every held line, oldest first, then empty the buffer. A failing replay is reported and the
   * rest still run.
   */
  drain(onError?: (error: unknown) => void): number {
    const count = this.count
    if (count === 0) return 0
    const ring = this.ring
    const start = this.start
    const cap = this.pool.maxLinesPerScope
    // Released first: lines dropped while replaying go to a new ring, never into this one's entries.
    this.release()
    replayDepth++
    let written = 0
    try {
      for (let k = 0; k < count; k++) {
        const i = start + k < cap ? start + k : start + k - cap
        const e = ring[i] as Entry
        try {
          e.replay(e.target, e.payload, e.signature, e.loggedAt)
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
    this.release(CLOSED_RING)
    this.closed = true
  }

  private evictOldest(): void {
    if (this.count === 0) return
    const e = this.ring[this.start] as Entry
    this.bytes -= e.bytes
    this.pool.used -= e.bytes
    this.pool.evicted++
    // The entry stays for reuse; what it held does not stay alive with it.
    e.target = undefined
    e.payload = undefined
    this.start = this.start + 1 === this.pool.maxLinesPerScope ? 0 : this.start + 1
    this.count--
  }

  /** Give back the held bytes and start over on `ring` (a new one after a drain: the buffer goes on). */
  private release(ring: Entry[] = []): void {
    this.pool.used -= this.bytes
    this.bytes = 0
    this.ring = ring
    this.start = 0
    this.count = 0
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
