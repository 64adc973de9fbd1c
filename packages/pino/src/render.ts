// What a pino call says, read from its arguments by pino's rules (`(msg, ...values)`, `(obj, msg,
// ...values)`, `(err)`, `(obj)`): the template it is signed by, and its message as pino would write it.
// Pure functions of the arguments: nothing is left behind for a later call to read.
import { format } from 'node:util'
import { eventName, keySetTemplate } from '@logsieve/core/sdk'

/** What a call is signed by: its format string or message, or for an object without one, its structure. */
export function templateOf(a0: unknown, a1: unknown): unknown {
  if (typeof a0 === 'string') return a0
  if (a0 !== null && typeof a0 === 'object') {
    if (typeof a1 === 'string') return a1
    const message = messageOf(a0)
    if (message !== undefined) return message
    // No message: signed by its structure (core's rule, shared with winston and the browser).
    return eventName(a0) ?? keySetTemplate(a0)
  }
  if (a0 === undefined || a0 === null) return a1
  return a0
}

/**
 * Whether templateOf's text is a template (signed exactly) rather than a message (masked): a format
 * string with values (`format`: formatOf's answer for the same call), or an object signed by structure.
 */
export function isTemplate(a0: unknown, a1: unknown, format: string | undefined): boolean {
  if (format !== undefined) return true
  if (a0 === null || typeof a0 !== 'object' || typeof a1 === 'string') return false
  return messageOf(a0) === undefined && eventName(a0) === undefined
}

/** The format string of a call with values to interpolate, else undefined. */
export function formatOf(a0: unknown, a1: unknown, n: number): string | undefined {
  if (typeof a0 === 'string') return n > 1 && hasPercent(a0) ? a0 : undefined
  if (a0 !== null && typeof a0 === 'object' && typeof a1 === 'string')
    return n > 2 && hasPercent(a1) ? a1 : undefined
  return undefined
}

// The last string scanned for `%` and the answer: a statement logged in a loop or a burst is scanned once
// (a format is a literal, one string object, so the check is a pointer comparison).
let scanned = ''
let scannedHasPercent = false

function hasPercent(s: string): boolean {
  if (s !== scanned) {
    scannedHasPercent = s.includes('%')
    scanned = s
  }
  return scannedHasPercent
}

/** The message pino takes from an object-only call: `msg`, or the error's message; undefined if none. */
function messageOf(o: object): unknown {
  if (o instanceof Error) return o.message
  const rec = o as { msg?: unknown; err?: { message?: unknown } }
  if (rec.msg !== undefined) return rec.msg
  if (rec.err !== null && typeof rec.err === 'object' && rec.err.message !== undefined) return rec.err.message
  return undefined
}

/** The call's message, formatted (node's util.format: for examples and OTLP bodies, not for the line). */
export function renderMessage(args: ArrayLike<unknown>): string {
  const a0 = args[0]
  const a1 = args[1]
  const f = formatOf(a0, a1, args.length)
  if (f !== undefined) return format(f, ...Array.prototype.slice.call(args, typeof a0 === 'string' ? 1 : 2))
  let text: unknown
  if (typeof a0 === 'string') text = a0
  else if (a0 !== null && typeof a0 === 'object') text = typeof a1 === 'string' ? a1 : messageOf(a0)
  else text = a0 === undefined || a0 === null ? a1 : a0
  return typeof text === 'string' ? text : text === undefined || text === null ? '' : String(text)
}

/** A kept line's example for the server: its message, and its merge object as JSON. */
export function renderExample(args: ArrayLike<unknown>): string {
  const msg = renderMessage(args)
  const a0 = args[0]
  if (a0 === null || typeof a0 !== 'object' || a0 instanceof Error) return msg
  // redactExample masks secrets inside this JSON too (keys like password, token, cookie…).
  return `${msg} ${safeJson(a0)}`
}

/** JSON of any value: '' when it cannot be serialized; cycles as '[Circular]', bigints as strings. */
export function safeJson(value: unknown): string {
  const seen = new WeakSet<object>()
  try {
    return (
      JSON.stringify(value, (_k, v: unknown) => {
        if (v !== null && typeof v === 'object') {
          if (seen.has(v)) return '[Circular]'
          seen.add(v)
        }
        return typeof v === 'bigint' ? v.toString() : v
      }) ?? ''
    )
  } catch {
    return ''
  }
}
