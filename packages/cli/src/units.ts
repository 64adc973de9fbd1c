// Parsing and printing of the quantities people type on a command line: sizes, budgets, durations.
import type { Budget } from '@logsieve/core'
import { CliError, EXIT } from './errors.js'

const BYTE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
}

const PERIOD_SECONDS: Record<string, number> = {
  s: 1,
  sec: 1,
  second: 1,
  m: 60,
  min: 60,
  minute: 60,
  h: 3600,
  hour: 3600,
  d: 86_400,
  day: 86_400,
  w: 604_800,
  week: 604_800,
  mo: 2_592_000,
  month: 2_592_000,
}

/** `'5GB'` → 5e9, `'512MiB'` → 536870912, `'1e6'` → 1e6. Decimal units are powers of 1000. */
export function parseBytes(text: string, option = 'size'): number {
  const m = /^\s*(\d+(?:\.\d+)?(?:e\d+)?)\s*([a-z]*)\s*$/i.exec(text)
  const unit = BYTE_UNITS[(m?.[2] || 'b').toLowerCase()]
  if (!m || unit === undefined) {
    throw new CliError(EXIT.usage, `${option}: cannot read "${text}" as a size (e.g. 500MB, 5GB, 2GiB)`)
  }
  return Number(m[1]) * unit
}

/** `'day'` → 86400, `'12h'` → 43200, `'30s'` → 30. */
export function parseDuration(text: string, option = 'duration'): number {
  const m = /^\s*(\d+(?:\.\d+)?)?\s*([a-z]+)\s*$/i.exec(text)
  const unit = m ? PERIOD_SECONDS[m[2]!.toLowerCase().replace(/s$/, '') || 's'] : undefined
  if (!m || unit === undefined) {
    throw new CliError(EXIT.usage, `${option}: cannot read "${text}" as a duration (e.g. 30s, 1h, 1d)`)
  }
  return (m[1] === undefined ? 1 : Number(m[1])) * unit
}

/**
 * A budget as typed: `'5GB/day'` (bytes per period), `'90%'` (reduce bytes by 90%),
 * `'200/s'` or `'200 events/s'` (events per period). A bare size means per day.
 */
export function parseBudget(text: string, option = '--budget'): Budget {
  const trimmed = text.trim()
  const pct = /^(\d+(?:\.\d+)?)\s*%$/.exec(trimmed)
  if (pct) {
    const reduction = Number(pct[1]) / 100
    if (!(reduction >= 0 && reduction < 1)) {
      throw new CliError(EXIT.usage, `${option}: a reduction must be at least 0% and below 100%`)
    }
    return { reduction }
  }
  const [amount = '', period = 'day'] = trimmed.split('/')
  const seconds = parseDuration(period, option)
  const events = /^(\d+(?:\.\d+)?)\s*(?:events?|lines?)?$/i.exec(amount.trim())
  if (events && trimmed.includes('/')) {
    const perSecond = Number(events[1]) / seconds
    if (!(perSecond > 0)) throw new CliError(EXIT.usage, `${option}: must be above zero`)
    return { eventsPerSecond: perSecond }
  }
  const bytes = parseBytes(amount, option)
  if (!(bytes > 0)) throw new CliError(EXIT.usage, `${option}: must be above zero`)
  return { bytesPerDay: bytes * (86_400 / seconds) }
}

/** A max for `budget check`: a volume per period, in bytes per day. */
export function parseBytesPerDay(text: string, option = '--max'): number {
  const budget = parseBudget(text, option)
  if (!('bytesPerDay' in budget)) {
    throw new CliError(EXIT.usage, `${option}: give a volume per period, e.g. 10GB/day`)
  }
  return budget.bytesPerDay
}

/** 1234567 → '1.23 MB' (decimal units, as log vendors bill). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return String(bytes)
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB']
  let value = Math.abs(bytes)
  let i = 0
  while (value >= 1000 && i < units.length - 1) {
    value /= 1000
    i++
  }
  const digits = i === 0 || value >= 100 ? 0 : value >= 10 ? 1 : 2
  return `${bytes < 0 ? '-' : ''}${value.toFixed(digits)} ${units[i]}`
}

/** 12345 → '12,345'; fractions keep up to 2 significant decimals. */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return String(n)
  if (Math.abs(n) >= 100 || Number.isInteger(n)) return Math.round(n).toLocaleString('en-US')
  return n.toLocaleString('en-US', { maximumSignificantDigits: 3 })
}

/** 0.0625 → '1/16', 1 → '1', 0 → '0': rates are powers of two, and people read them as fractions. */
export function formatRate(rate: number): string {
  if (rate >= 1) return '1'
  if (rate <= 0) return '0'
  const inverse = 1 / rate
  if (Number.isInteger(inverse)) return `1/${inverse}`
  return rate.toPrecision(3)
}

export function formatPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return '-'
  if (fraction > 0 && fraction < 0.001) return '<0.1%'
  return `${(fraction * 100).toFixed(Math.abs(fraction) < 0.1 ? 1 : 0)}%`
}
