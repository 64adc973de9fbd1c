// The hot-path sampling decision (DESIGN §4): signature → rule → token bucket → consistent threshold.
// Allocates nothing on the drop path: one Decision object per sampler is reused.

import { defaultPolicy } from './contract.js'
import { createLanes, type Lanes, type LastLine, MEASURE_SETTLE } from './lanes.js'
import {
  MessageCache,
  newPattern,
  newPatternLevel,
  type Pattern,
  PatternCache,
  type PatternLevel,
} from './patterns.js'
import { type CompiledPolicy, chooseRate, compilePolicy } from './rate.js'
import type { Policy } from './schema.js'
import { LEVEL_NAMES, type LevelName, levelName, toSeverityNumber } from './severity.js'
import {
  CACHE_GENERATION_SIZE,
  computeSignature,
  MAX_CACHED_MESSAGE,
  templateSignature,
  toMessageText,
} from './signature.js'
import { createStatsTable } from './stats-table.js'
import { createBucketMap, createTokenBucket, type TokenBucket, takeToken } from './token-bucket.js'
import { traceThreshold, w3cThreshold } from './trace-threshold.js'
import type {
  DecideOptions,
  Decision,
  Sampler,
  SamplerOptions,
  SignatureResult,
  StatsCounter,
} from './types.js'

/**
 * `sample_rate` of a backfilled line (a dropped line written after all, before an error of its scope):
 * 0. It was counted as dropped when logged, so the next kept line of its pattern stands for it already
 * (see `Decision.sampleRate`); with weight 0, Σ sample_rate over written lines stays the true count.
 */
export const BACKFILL_SAMPLE_RATE = 0

// Part of the sampler's API since the first release; they live in their own file.
export { traceThreshold, w3cThreshold }

/** Bytes a serialized line adds beyond its message (time, level, pid, hostname, keys): an estimate. */
const LINE_OVERHEAD_BYTES = 64
const MINUTE_MS = 60_000
/**
 * Patterns (signature and level) that may start a floor in one minute. Past it, further ones get no
 * floor until the minute ends (they are sampled as usual: counts stay exact, only their coverage
 * guarantee is lost). With the bounded pattern caches, this bounds the floor's lines per minute.
 */
const FLOOR_CAPACITY = 4096

/**
 * Create a sampler: `decide(level, text, { traceId, isFormat, bytes })` says whether to keep a line,
 * with its signature and weight, and counts it in `stats`. Never throws.
 *
 * @example
 * const sampler = createSampler({ policy })
 * const d = sampler.decide('info', 'user %s logged in', { isFormat: true, traceId })
 * if (d.keep) log({ msg, signature: d.signature, sample_rate: d.sampleRate })
 */
export function createSampler(options?: SamplerOptions): Sampler {
  return createSamplerWith(options?.stats ?? createStatsTable(), options)
}

/**
 * `createSampler` counting into `stats`, which may be any StatsCounter (the browser SDK's page table).
 * Without createSampler's default, a bundle that brings its own counter does not carry the StatsTable.
 */
export function createSamplerWith<S extends StatsCounter>(
  stats: S,
  options?: Omit<SamplerOptions, 'stats'>,
): Sampler<S> {
  const last: LastLine = { pl: undefined, bytes: 0, plain: 0 }
  const formats = new PatternCache<Pattern>(CACHE_GENERATION_SIZE)
  const lanes = createLanes(stats, last)
  const sampler = buildSampler(
    stats,
    options,
    toSeverityNumber,
    traceThreshold,
    formats,
    templateSignature,
    last,
    new MessageCache<Pattern>(CACHE_GENERATION_SIZE),
    measuredSize,
    lanes,
  ) as Sampler<S>
  sampler.again = lanes.again
  // A new policy changes rate choices: lanes answer with the ones they opened with.
  const setPolicy = sampler.setPolicy
  sampler.setPolicy = (policy) => {
    setPolicy(policy)
    lanes.close()
  }
  sampler.measured = (bytes, plainBytes) => {
    const pl = last.pl
    last.pl = undefined
    if (pl === undefined || !(bytes > 0 && isSize(bytes))) return
    // The pattern's size changes: lanes answer at the sizes they opened with.
    lanes.close()
    const plain = isSize(plainBytes) ? plainBytes : bytes
    const h = pl.row
    // measuredSize set last.plain for the kept line, and no decide() came since.
    if (h !== undefined) stats.addBytes?.(h, bytes - last.bytes, true, plain - (last.plain ?? last.bytes))
    // Running means (weight 1/8 for the newest line): the size of this pattern's lines and what
    // Logsieve's fields add to them, for the lines of it that are dropped and never serialized.
    const mean = pl.size
    pl.size = mean > 0 ? mean + (bytes - mean) / 8 : bytes
    pl.added = mean > 0 ? pl.added + (bytes - plain - pl.added) / 8 : bytes - plain
    if (pl.measures < MEASURE_SETTLE) pl.measures++
  }
  sampler.sizeUnknown = () => last.pl !== undefined && last.pl.size === 0
  return sampler
}

/** Options of createBaseSampler: createSamplerWith's, with the level mapping to use. */
export interface BaseSamplerOptions extends Omit<SamplerOptions, 'stats'> {
  /**
   * Maps a level to an OpenTelemetry severity number (createSampler uses `toSeverityNumber`, which knows
   * pino numbers and the names of pino, winston, syslog, console and OpenTelemetry). Called when the
   * level differs from the previous line's.
   */
  severity: (level: unknown) => number
  /**
   * The sampling threshold of a trace id (createSampler uses `traceThreshold`; `w3cThreshold` when trace
   * ids are always W3C, whose hash fallback then stays out of a bundle).
   */
  threshold: (traceId: string) => number
}

/** A sampler without format strings and `measured()`: every text is signed as a rendered message. */
export type BaseSampler<S extends StatsCounter = StatsCounter> = Omit<
  Sampler<S>,
  'measured' | 'sizeUnknown' | 'decide' | 'again'
> & {
  decide(level: unknown, text: unknown, options?: Omit<DecideOptions, 'isFormat'>): Decision
}

/**
 * The decision of `createSamplerWith` (same code, same decisions for rendered messages and the levels
 * `options.severity` maps alike) without the format-string cache, `measured()` and the full level table,
 * for a caller that passes rendered messages only, never measures what it writes and logs with few level
 * names: the browser SDK, whose bundle then carries none of them (about 190 B min+gzip).
 */
export function createBaseSampler<S extends StatsCounter>(
  stats: S,
  options: BaseSamplerOptions,
): BaseSampler<S> {
  return buildSampler(stats, options, options.severity, options.threshold)
}

/** A size the sampler accepts from a caller: finite and non-negative. */
const isSize = (b: unknown): b is number => typeof b === 'number' && b >= 0 && b < Number.MAX_SAFE_INTEGER

/** Written size of a line (returned) and its plain size (into `last.plain`). */
type SizeOf = (pl: PatternLevel, message: string, opts: DecideOptions | undefined, last: LastLine) => number

/** The given written size, else message length + 64; plain = written (the base sampler measures nothing). */
function givenSize(_pl: unknown, message: string, opts: DecideOptions | undefined): number {
  const b = opts?.bytes
  return typeof b === 'number' && b >= 0 && b < Number.MAX_SAFE_INTEGER
    ? b
    : message.length + LINE_OVERHEAD_BYTES
}

/**
 * createSampler's sizes: given, else the pattern's mean measured size; plain given, else the written
 * size less what Logsieve's fields added to the pattern's measured lines.
 */
const measuredSize: SizeOf = (pl, message, opts, last) => {
  const mean = pl.size
  const bytes = mean > 0 && !isSize(opts?.bytes) ? mean : givenSize(pl, message, opts)
  const pb = opts?.plainBytes
  last.plain = isSize(pb) ? pb : Math.max(0, bytes - pl.added)
  return bytes
}

/**
 * The sampler, with `severityOf` for levels and `threshold` for trace ids. With `byFormat` and `signFormat` (templateSignature), `isFormat`
 * texts are signed as templates and their patterns cached by format string; `last` receives the last
 * kept line (createSamplerWith reads it in measured()); with `byMessage`, rendered messages' patterns
 * are cached by message (one lookup for a repeated message instead of the message cache's and then
 * bySignature's); with `lanes`, kept lines it picks are marked to be measured (Decision.measure) and
 * decisions it may repeat carry a lane (lanes.ts); without, no line is measured or gets a lane.
 * Passed in, so that a bundle of createBaseSampler carries neither toSeverityNumber's table, hash32 nor
 * templateSignature, and a page holds no second message cache.
 */
function buildSampler<S extends StatsCounter>(
  stats: S,
  options: Omit<SamplerOptions, 'stats'> | undefined,
  severityOf: (level: unknown) => number,
  threshold: (traceId: string) => number,
  byFormat?: PatternCache<Pattern>,
  signFormat?: (format: string) => SignatureResult,
  last: LastLine = { pl: undefined, bytes: 0 },
  byMessage?: MessageCache<Pattern>,
  sizeOf: SizeOf = givenSize,
  lanes?: Lanes,
): Omit<Sampler<S>, 'measured' | 'sizeUnknown' | 'again'> {
  const random = options?.random ?? Math.random
  const now = options?.now ?? Date.now
  const onError = options?.onError
  let rates: CompiledPolicy
  const newBuckets = createBucketMap()
  let floorMinute = Number.NaN
  /** Patterns that started a floor in floorMinute. */
  let floorStarts = 0
  /** Bumped by setPolicy: a pattern level's rate is chosen again when its `gen` is stale. */
  let generation = 0
  // Signature → pattern (and format string → pattern in byFormat): one lookup per line on the hot path.
  const bySignature = new PatternCache<Pattern>(CACHE_GENERATION_SIZE)
  // The last level seen and what it maps to: loggers log a handful of levels, mostly one.
  let lastLevel: unknown
  let lastSeverity = 9
  let lastIndex = 2
  // One Decision per sampler, overwritten by every call: the drop path allocates nothing.
  const d: Decision = {
    keep: true,
    signature: '',
    template: '',
    level: 'info',
    severity: 9,
    rate: 1,
    sampleRate: 1,
    reason: 'always',
    measure: false,
  }

  function setPolicy(next: Policy): void {
    rates = compilePolicy(next)
    generation++
    sampler.policy = next
    newBuckets.clear()
  }

  function patternOf(sig: SignatureResult): Pattern {
    let p = bySignature.get(sig.signature)
    if (p === undefined) {
      // A long template is not held here (memory stays bounded): lines read theirs from their own result.
      p = newPattern(
        sig.template.length <= MAX_CACHED_MESSAGE ? sig : { signature: sig.signature, template: '' },
      )
      bySignature.set(sig.signature, p)
    }
    return p
  }

  /**
   * True while (pattern, level) is within its first `floorPerMinute` lines of the current wall-clock
   * minute. The count depends only on which lines arrived, never on a random draw; like any kept line, a
   * floor line's weight counts the lines of its pattern dropped before it.
   */
  function takeFloor(pl: PatternLevel): boolean {
    const minute = Math.floor(now() / MINUTE_MS)
    if (pl.minute !== minute) {
      if (minute !== floorMinute) {
        floorMinute = minute
        floorStarts = 0
      }
      if (floorStarts >= FLOOR_CAPACITY) return false
      floorStarts++
      pl.minute = minute
      pl.floor = 0
    }
    if (pl.floor >= rates.floorPerMinute) return false
    pl.floor++
    return true
  }

  function decideUnsafe(level: unknown, text: unknown, opts: DecideOptions | undefined): Decision {
    if (level !== lastLevel) {
      lastSeverity = severityOf(level)
      lastIndex = LEVEL_NAMES.indexOf(levelName(lastSeverity))
      // Only primitives are remembered: an object level must not be kept alive by the sampler.
      lastLevel = typeof level === 'object' || typeof level === 'function' ? undefined : level
    }
    const severity = lastSeverity
    const li = lastIndex
    const name = LEVEL_NAMES[li] as LevelName
    const message = toMessageText(text)
    const isFormat = byFormat !== undefined && opts?.isFormat === true
    // Format strings and (with byMessage) rendered messages find their pattern in one lookup.
    const cache = isFormat ? byFormat : byMessage
    const cacheable = cache !== undefined && message.length <= MAX_CACHED_MESSAGE
    let p = cacheable ? cache.get(message) : undefined
    let sig: SignatureResult
    if (p !== undefined) sig = p.sig
    else {
      sig = isFormat ? (signFormat as typeof templateSignature)(message) : computeSignature(message)
      p = patternOf(sig)
      if (cacheable) cache.set(message, p)
    }
    let pl = p.levels[li]
    if (pl === undefined) {
      pl = newPatternLevel()
      p.levels[li] = pl
    }
    // The rate choice is the pattern's at this level until the next policy; a rule that expires is read
    // again on every line (rules without an expiry, level defaults and newPattern do not change).
    if (pl.gen !== generation || (pl.rule !== undefined && pl.rule.expiresAt !== Number.POSITIVE_INFINITY)) {
      chooseRate(rates, rates.rules.get(sig.signature), li, now, pl)
      pl.gen = generation
    }
    d.signature = sig.signature
    d.template = sig.template
    d.pattern = p
    d.level = name
    d.severity = severity
    d.reason = pl.reason

    let rate = pl.rate
    let cap = pl.maxPerSecond
    const rule = pl.rule
    let keep = rate >= 1
    // The floor comes first for lines the rate or a cap could drop; a rate of 0 mutes, floor or not.
    if (rate > 0 && (rate < 1 || cap > 0) && rates.floorPerMinute > 0 && takeFloor(pl)) {
      keep = true
      rate = 1
      cap = 0
      d.reason = 'floor'
    } else if (!keep && rate > 0) {
      const traceId = opts?.traceId
      keep = (typeof traceId === 'string' && traceId.length > 0 ? threshold(traceId) : random()) <= rate
    }
    if (keep && cap > 0) {
      const t = now()
      if (rule !== undefined) rule.bucket ??= createTokenBucket(cap, t)
      if (
        !(rule !== undefined
          ? takeToken(rule.bucket as TokenBucket, t)
          : newBuckets.take(sig.signature, cap, t))
      ) {
        keep = false
        d.reason = 'capped'
      }
    }
    d.keep = keep
    d.rate = rate
    // A kept line stands for itself and for the lines of its pattern dropped since the last kept one, so
    // Σ sampleRate over kept lines is the exact count (up to the lines dropped after the last kept one,
    // at most a minute's with the floor). A mute (rate 0) is not counted into anything.
    const carried = pl.carry
    if (keep) {
      d.sampleRate = 1 + carried
      if (carried > 0) pl.carry = 0
    } else {
      d.sampleRate = 1
      if (rate > 0) pl.carry = carried + 1
    }
    const bytes = sizeOf(pl, message, opts, last)
    // The pattern holds its stats row: no second lookup by signature (the table's own) per line.
    let h = pl.row
    if (h === undefined || !stats.countInto(h, keep, bytes, last.plain)) {
      h = stats.handle(sig.signature, name, sig.template)
      pl.row = h
      stats.countInto(h, keep, bytes, last.plain)
    }
    // What measured() reads, the measure choice and the lane.
    lanes?.decided(pl, d, bytes)
    return d
  }

  // policy is a data property, set by setPolicy: a getter in this literal would make the sampler a V8
  // dictionary, and every decide() call on it a generic lookup.
  const sampler = {
    stats,
    setPolicy,
    decide(level: unknown, text: unknown, opts?: DecideOptions): Decision {
      try {
        return decideUnsafe(level, text, opts)
      } catch (error) {
        // Fail open: a sampler bug must cost storage, never a lost line or a throw into the app.
        last.pl = undefined
        try {
          onError?.(error)
        } catch {}
        d.keep = true
        d.rate = 1
        d.sampleRate = 1
        d.reason = 'always'
        d.lane = undefined
        // d.measure may be the previous line's: a measurement of this line finds no pattern and is ignored.
        return d
      }
    },
  } as Omit<Sampler<S>, 'measured' | 'sizeUnknown' | 'again'> & { policy: Policy }
  setPolicy(options?.policy ?? defaultPolicy('unknown'))
  return sampler
}
