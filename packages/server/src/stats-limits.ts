// Limits a stats batch must meet beyond its shape (core's check): counts and bytes small enough that no
// sum the server keeps can overflow or make a policy invalid, and a window near the server's clock.
// Each failure is a 400 naming the field; stored rows saturate at ROW_MAX_COUNT on top of this.
import type { StatsBatch } from '@logsieve/core'
import { ApiError } from './errors.js'

/** Most lines one batch may report (per pattern and in total): 2⁴⁰ ≈ 1.1e12. */
export const BATCH_MAX_COUNT = 2 ** 40
/** Largest average written size of one line a batch may report: 16 MiB. */
export const MAX_EVENT_BYTES = 2 ** 24
/** A stored minute row saturates here (2⁴³ ≈ 8.8e12): 60 of them sum far below SQLite's 2⁶³. */
export const ROW_MAX_COUNT = 2 ** 43
/** An hourly rollup saturates at 60 full minute rows. */
export const HOUR_MAX_COUNT = 60 * ROW_MAX_COUNT
export const ROW_MAX_BYTES = ROW_MAX_COUNT * MAX_EVENT_BYTES
/** How far ahead of the server's clock a window may end (clock skew between hosts). */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000
/** Longest window one batch may cover. */
export const MAX_WINDOW_MS = 86_400_000

const DAY = 86_400_000

/** What the server checks besides the batch's definition (its clock, sums): said in /openapi.json. */
export const STATS_LIMITS =
  'Besides this schema the server refuses (400, naming the field): a window ending more than 5 minutes ' +
  'ahead of its clock, starting before its stats retention, ending before it starts or longer than 24 ' +
  'hours; more than 2^40 lines seen or kept in one batch; bytes above 16 MiB per line (seen, kept).'

const invalid = (field: string, message: string): ApiError =>
  new ApiError(400, 'LOGSIEVE_STATS_INVALID', message, field)

/** Throws a 400 naming the first field past a limit. */
export function checkBatchLimits(batch: StatsBatch, now: number, retentionDays: number): void {
  const start = Date.parse(batch.window.start)
  const end = Date.parse(batch.window.end)
  if (end < start) throw invalid('window.end', 'window.end must not be before window.start')
  if (end > now + MAX_CLOCK_SKEW_MS) {
    throw invalid('window.end', 'must not be more than 5 minutes ahead of the server clock')
  }
  if (start < now - retentionDays * DAY) {
    throw invalid('window.start', `must be within the last ${retentionDays} days (the stats retention)`)
  }
  if (end - start > MAX_WINDOW_MS) throw invalid('window.start', 'a window may cover at most 24 hours')
  let seen = 0
  let kept = 0
  const field = (i: number, name: string) => `patterns[${i}].${name}`
  for (let i = 0; i < batch.patterns.length; i++) {
    const p = batch.patterns[i]!
    seen += p.seen
    kept += p.kept
    if (seen > BATCH_MAX_COUNT) throw invalid(field(i, 'seen'), `a batch may count at most 2^40 lines`)
    if (kept > BATCH_MAX_COUNT) throw invalid(field(i, 'kept'), `a batch may count at most 2^40 lines`)
    if (p.bytes > Math.max(1, p.seen) * MAX_EVENT_BYTES) {
      throw invalid(field(i, 'bytes'), 'must be at most seen × 16 MiB')
    }
    if (p.keptBytes !== undefined && p.keptBytes > Math.max(1, p.kept) * MAX_EVENT_BYTES) {
      throw invalid(field(i, 'keptBytes'), 'must be at most kept × 16 MiB')
    }
  }
  const o = batch.overflow
  if (o) {
    if (o.seen + seen > BATCH_MAX_COUNT)
      throw invalid('overflow.seen', 'a batch may count at most 2^40 lines')
    if (o.kept + kept > BATCH_MAX_COUNT)
      throw invalid('overflow.kept', 'a batch may count at most 2^40 lines')
    if (o.bytes > Math.max(1, o.seen) * MAX_EVENT_BYTES) {
      throw invalid('overflow.bytes', 'must be at most seen × 16 MiB')
    }
  }
}
