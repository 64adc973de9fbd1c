// Scores one sampling strategy of a replay run: bytes cut, warn+ kept, pattern coverage per minute,
// kept bytes vs budget, per-pattern counts rebuilt from sample weights vs truth.

/** What a strategy kept, line by line (indexes into the run's line arrays). */
export interface Tally {
  /** Weight of each kept line (0 when dropped). */
  weight: Float32Array
  /** Seconds from the new pattern's first line to the first policy rule for it (Logsieve only). */
  newPatternRuledAfterS?: number
}

/** The run's truth: one entry per emitted line. */
export interface RunLines {
  count: number
  pattern: Uint32Array
  minute: Uint16Array
  bytes: Uint32Array
  /** 1 for warn and above. */
  warn: Uint8Array
  /** Minutes before this one are warm-up (no policy yet) and not scored for bytes and coverage. */
  warmupMinutes: number
  minutes: number
  patterns: number
  budgetBytesPerDay: number
}

export interface Metrics {
  bytesCut: number
  warnKept: number
  coverage: number
  keptBytesPerDay: number
  budgetBytesPerDay: number
  countErrorMedian: number
  countErrorP90: number
  newPatternRuledAfterS: number | undefined
}

const quantile = (sorted: number[], q: number): number =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!

export function score(tally: Tally, run: RunLines): Metrics {
  let rawBytes = 0
  let keptBytes = 0
  let warnSeen = 0
  let warnKept = 0
  const truth = new Float64Array(run.patterns)
  const rebuilt = new Float64Array(run.patterns)
  // Coverage: per minute, the patterns present and those with at least one kept line.
  const present = new Uint8Array(run.minutes * run.patterns)
  const covered = new Uint8Array(run.minutes * run.patterns)
  for (let i = 0; i < run.count; i++) {
    const p = run.pattern[i]!
    const w = tally.weight[i]!
    truth[p]! += 1
    rebuilt[p]! += w
    if (run.warn[i]) {
      warnSeen++
      if (w > 0) warnKept++
    }
    const m = run.minute[i]!
    if (m < run.warmupMinutes) continue
    rawBytes += run.bytes[i]!
    if (w > 0) keptBytes += run.bytes[i]!
    present[m * run.patterns + p] = 1
    if (w > 0) covered[m * run.patterns + p] = 1
  }
  let presentCount = 0
  let coveredCount = 0
  for (let i = 0; i < present.length; i++) {
    presentCount += present[i]!
    coveredCount += covered[i]!
  }
  const errors: number[] = []
  for (let p = 0; p < run.patterns; p++) {
    if (truth[p]! > 0) errors.push(Math.abs(rebuilt[p]! - truth[p]!) / truth[p]!)
  }
  errors.sort((a, b) => a - b)
  const scoredSeconds = (run.minutes - run.warmupMinutes) * 60
  return {
    bytesCut: rawBytes > 0 ? 1 - keptBytes / rawBytes : 0,
    warnKept: warnSeen > 0 ? warnKept / warnSeen : 1,
    coverage: presentCount > 0 ? coveredCount / presentCount : 1,
    keptBytesPerDay: (keptBytes / scoredSeconds) * 86_400,
    budgetBytesPerDay: run.budgetBytesPerDay,
    countErrorMedian: quantile(errors, 0.5),
    countErrorP90: quantile(errors, 0.9),
    newPatternRuledAfterS: tally.newPatternRuledAfterS,
  }
}
