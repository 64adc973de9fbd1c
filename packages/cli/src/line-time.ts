// The time of a text log line, found near its start whatever comes before it (a file name, a host, a
// bracket). Only differences between lines matter to `analyze` (the window a file covers), so formats
// without a year read as the current year and formats without a zone as UTC.

/** How far into a line a timestamp may start: prefixes such as `nova-api.log.1.2017-05-16_13:53:08 `. */
const SEARCH_WINDOW = 96

const MONTHS: Record<string, number> = {
  jan: 0,
  feb: 1,
  mar: 2,
  apr: 3,
  may: 4,
  jun: 5,
  jul: 6,
  aug: 7,
  sep: 8,
  oct: 9,
  nov: 10,
  dec: 11,
}

type Reader = (m: RegExpExecArray, year: number) => number | undefined

/** Date.UTC, or undefined for out-of-range fields (Date.UTC would roll month 13 or hour 25 over). */
function utc(
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s: number,
  frac = '',
): number | undefined {
  if (mo < 0 || mo > 11 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return undefined
  return Date.UTC(y, mo, d, h, mi, s, frac ? Math.round(Number(`0.${frac}`) * 1000) : 0)
}
const minus = (ms: number | undefined, offset: number): number | undefined =>
  ms === undefined ? undefined : ms - offset
const zoneOffset = (zone: string | undefined): number => {
  if (!zone || zone === 'Z') return 0
  const m = /([+-])(\d{2}):?(\d{2})/.exec(zone)
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) * 60_000 : 0
}
const month = (name: string): number | undefined => MONTHS[name.slice(0, 3).toLowerCase()]

// Most specific first: each pattern names the kind of log it is for.
const FORMATS: Array<[RegExp, Reader]> = [
  // ISO 8601 / RFC 3339 and its log4j/Python variants: 2017-05-16 00:00:00.008, 2024-05-01T12:00:00,123Z
  [
    /(?<!\d)(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?(?!\d)/,
    (m) => minus(utc(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, m[7]), zoneOffset(m[8])),
  ],
  // Apache / nginx access logs: [10/Oct/2000:13:55:36 -0700]
  [
    /(\d{2})\/([A-Za-z]{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2})(?: ([+-]\d{4}))?/,
    (m) => {
      const mo = month(m[2]!)
      return mo === undefined
        ? undefined
        : minus(utc(+m[3]!, mo, +m[1]!, +m[4]!, +m[5]!, +m[6]!), zoneOffset(m[7]))
    },
  ],
  // Syslog (RFC 3164) and glibc/ctime: Jun 14 15:16:01, Sun Dec 04 04:47:44 2005
  [
    /(?<![A-Za-z])([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,6}))?(?: (\d{4})(?!\d))?/,
    (m, year) => {
      const mo = month(m[1]!)
      return mo === undefined ? undefined : utc(m[7] ? +m[7] : year, mo, +m[2]!, +m[3]!, +m[4]!, +m[5]!, m[6])
    },
  ],
  // Slash dates with a two- or four-digit year (log4j's yy/MM/dd, Spark): 17/06/09 20:10:40
  [
    /(?<![\d/])(\d{2}|\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,6}))?/,
    (m) => utc(m[1]!.length === 2 ? 2000 + +m[1]! : +m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, m[7]),
  ],
  // Compact yyMMdd HHmmss (Hadoop HDFS daemons): 081109 203615
  [
    /^(\d{2})(\d{2})(\d{2}) (\d{2})(\d{2})(\d{2})(?!\d)/,
    (m) => utc(2000 + +m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!),
  ],
  // Month.day without a year (Windows proxies and some appliances): [10.30 16:49:06]
  [
    /^\[?(\d{2})\.(\d{2}) (\d{2}):(\d{2}):(\d{2})/,
    (m, year) => utc(year, +m[1]! - 1, +m[2]!, +m[3]!, +m[4]!, +m[5]!),
  ],
]

/**
 * The time of a text line in ms since epoch, or undefined when none starts within the first
 * `SEARCH_WINDOW` characters or the fields are out of range.
 */
export function findLineTime(text: string, year = new Date().getUTCFullYear()): number | undefined {
  const head = text.length > SEARCH_WINDOW + 40 ? text.slice(0, SEARCH_WINDOW + 40) : text
  for (const [pattern, read] of FORMATS) {
    const m = pattern.exec(head)
    if (!m || m.index > SEARCH_WINDOW) continue
    const ms = read(m, year)
    if (ms !== undefined && Number.isFinite(ms)) return ms
  }
  return undefined
}
