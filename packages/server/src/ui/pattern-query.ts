// The patterns table's state in the URL (search, filters, sort, page) and the one page of rows it selects.

import type { LevelName } from '@logsieve/core'
import type { PatternMeasures, PatternRow } from '../pattern-view.js'
export const PAGE_SIZES = [25, 50, 100, 200] as const
export const LEVELS: readonly LevelName[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal']
const DEFAULT_SORT = 'share'
const DEFAULT_PER = 50

/**
 * Why a pattern has its rate, as a badge: the deciding rule's reason (budget, pin, new, anomaly, floor,
 * manual), else `level` for a level always kept, `default` for a level's default rate, `new` for the cap
 * on brand-new patterns.
 */
export const why = (p: PatternMeasures): string =>
  p.ruleReason ?? (p.reason === 'always' ? 'level' : p.reason === 'level' ? 'default' : p.reason)

const text = new Intl.Collator('en', { sensitivity: 'base', numeric: true })

/** Each sortable column as a comparison, ascending. */
const SORTS: Record<string, (a: PatternRow, b: PatternRow) => number> = {
  template: (a, b) => text.compare(a.template, b.template),
  level: (a, b) => text.compare(a.level, b.level),
  seen: (a, b) => a.eventsPerSecond - b.eventsPerSecond,
  kept: (a, b) => a.keptPerSecond - b.keptPerSecond,
  rate: (a, b) => a.rate - b.rate,
  reason: (a, b) => text.compare(why(a), why(b)),
  share: (a, b) => a.share - b.share,
  saved: (a, b) => a.savedBytesPerDay - b.savedBytesPerDay,
  firstSeen: (a, b) => a.firstSeen - b.firstSeen,
}

export interface PatternQuery {
  q: string
  level: string
  reason: string
  sort: string
  dir: 'asc' | 'desc'
  page: number
  per: number
}

/** The table's state from the query string; anything unknown falls back to the default. */
export function patternQuery(get: (name: string) => string | undefined): PatternQuery {
  const sort = get('sort') ?? ''
  const per = Number(get('per'))
  const pageNo = Number(get('page'))
  return {
    q: (get('q') ?? '').slice(0, 200),
    level: get('level') ?? '',
    reason: get('reason') ?? '',
    sort: sort in SORTS ? sort : DEFAULT_SORT,
    dir: get('dir') === 'asc' ? 'asc' : 'desc',
    page: Number.isInteger(pageNo) && pageNo > 0 ? pageNo : 1,
    per: (PAGE_SIZES as readonly number[]).includes(per) ? per : DEFAULT_PER,
  }
}

/** The query string of the table's state with some of it changed (defaults left out). */
export function queryString(q: PatternQuery, change: Partial<PatternQuery>): string {
  const next = { ...q, ...change }
  const params = new URLSearchParams()
  if (next.q) params.set('q', next.q)
  if (next.level) params.set('level', next.level)
  if (next.reason) params.set('reason', next.reason)
  if (next.sort !== DEFAULT_SORT) params.set('sort', next.sort)
  if (next.dir !== 'desc') params.set('dir', next.dir)
  if (next.page !== 1) params.set('page', String(next.page))
  if (next.per !== DEFAULT_PER) params.set('per', String(next.per))
  return params.toString()
}

/** Filter, search, sort (ties keep the loudest first) and cut one page; `total` counts after filtering. */
export function selectPatterns(all: PatternRow[], q: PatternQuery): { rows: PatternRow[]; total: number } {
  const needle = q.q.toLowerCase()
  const matching =
    !q.level && !q.reason && !needle
      ? [...all]
      : all.filter(
          (p) =>
            (!q.level || p.level === q.level) &&
            (!q.reason || why(p) === q.reason) &&
            (!needle || p.signature.includes(needle) || p.template.toLowerCase().includes(needle)),
        )
  const compare = SORTS[q.sort]!
  const sign = q.dir === 'asc' ? 1 : -1
  matching.sort((a, b) => sign * compare(a, b))
  const start = (q.page - 1) * q.per
  return { rows: matching.slice(start, start + q.per), total: matching.length }
}
