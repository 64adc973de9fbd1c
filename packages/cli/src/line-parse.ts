// Pulls message, level and time out of one log line: pino / winston / generic JSON lines, or plain text.
// Formats may be mixed in one file (a JSON app log with plain-text crash output), so auto-detection is
// per line and cheap: only lines that start with `{` are tried as JSON.
import { type LevelName, normalizeLevel } from '@logsieve/core'
import { findLineTime } from './line-time.js'

export type LineFormat = 'auto' | 'json' | 'text'

export interface ParsedLine {
  message: string
  level: LevelName
  /** ms since epoch, when the line carries a time. */
  time: number | undefined
  json: boolean
}

const MESSAGE_KEYS = ['msg', 'message', '@message', 'body', 'event', 'log'] as const
const LEVEL_KEYS = ['level', 'severity', 'levelname', 'lvl', 'loglevel', '@level', 'severityText'] as const
const TIME_KEYS = ['time', 'timestamp', '@timestamp', 'ts', 'date', 'datetime'] as const

// A level word near the start of a text line: `2024-05-01 12:00:00,123 WARN [main] disk almost full`.
const TEXT_LEVEL =
  /(?:^|[\s[<(|:])(TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|ERR|FATAL|CRIT|CRITICAL|SEVERE|PANIC)(?=$|[\s\]>)|:,-])/i
const LEVEL_WINDOW = 80
// Text-log level words the core level table does not know.
const TEXT_LEVEL_ALIASES: Record<string, string> = { severe: 'error', panic: 'fatal' }

/** Parse one line. Never throws; a line that is not valid JSON is read as text. */
export function parseLine(text: string, format: LineFormat = 'auto'): ParsedLine {
  if (format !== 'text') {
    const first = text.charCodeAt(0) === 0x7b ? 0 : text.search(/\S/)
    if (first !== -1 && text.charCodeAt(first) === 0x7b) {
      // Leading whitespace or a byte-order mark (first line of some files) is not part of the JSON.
      const json = parseJson(first === 0 ? text : text.slice(first))
      if (json) return json
    }
  }
  return parseText(text)
}

function parseJson(text: string): ParsedLine | undefined {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return undefined
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined
  const record = value as Record<string, unknown>
  let message: string | undefined
  for (const key of MESSAGE_KEYS) {
    const v = record[key]
    if (typeof v === 'string') {
      message = v
      break
    }
  }
  let level: unknown
  for (const key of LEVEL_KEYS) {
    if (record[key] !== undefined) {
      level = record[key]
      break
    }
  }
  // pino puts a serialized error under `err` and the message may be missing: use the error's message.
  if (message === undefined) {
    const err = record.err ?? record.error
    if (err && typeof err === 'object' && typeof (err as { message?: unknown }).message === 'string') {
      message = (err as { message: string }).message
    }
  }
  let time: number | undefined
  for (const key of TIME_KEYS) {
    if (record[key] !== undefined) {
      time = toMillis(record[key])
      if (time !== undefined) break
    }
  }
  return {
    message: message ?? text,
    level: level === undefined ? 'info' : normalizeLevel(level),
    time,
    json: true,
  }
}

function parseText(text: string): ParsedLine {
  const time = findLineTime(text)
  const window = text.length > LEVEL_WINDOW ? text.slice(0, LEVEL_WINDOW) : text
  const levelMatch = TEXT_LEVEL.exec(window)
  if (!levelMatch) return { message: text, level: 'info', time, json: false }
  // The message is what follows the level word; leading separators (`]`, `:`, `-`) are noise.
  const after = levelMatch.index + levelMatch[0].length
  const message = text.slice(after).replace(/^[\s\]>):|-]+/, '')
  const word = levelMatch[1]!.toLowerCase()
  return {
    message: message || text,
    level: normalizeLevel(TEXT_LEVEL_ALIASES[word] ?? word),
    time,
    json: false,
  }
}

/** Epoch seconds, epoch ms, or a date string → ms since epoch. */
function toMillis(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) {
    // Below 1e11 it is seconds (1e11 s is the year 5138; 1e11 ms is 1973).
    return value < 1e11 ? value * 1000 : value
  }
  if (typeof value === 'string' && value.length >= 10) {
    const ms = Date.parse(value)
    return Number.isNaN(ms) ? undefined : ms
  }
  return undefined
}
