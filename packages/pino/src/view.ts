// The logger's view: an object whose prototype is the logger, which pino writes a kept line through when
// nothing in pino's write path can tell the two apart. It is faster: a root pino logger is a
// dictionary-mode object for V8, and pino's dozen reads of it per line cost ~250 ns less through an object
// that has it as its prototype; and a kept line's fields go on the view, never on the logger.
//
// pino hands `this` to: metadata streams (`stream.lastLogger`, multistream forwards it), the
// `tracing:pino_asJson` diagnostics channel (`instance`), the mixin (its third argument) and the
// timestamp function (as `this`). So a logger has no view when its stream wants metadata, it has a
// mixin, or its timestamp is not one of pino's own (arrow functions); and no line goes through a view while
// the diagnostics channel has subscribers. Then pino writes through the logger itself.
import diagnostics from 'node:diagnostics_channel'
import { findSymbol } from './pino-symbols.js'

const VIEW = Symbol('logsieve.view')
/** On a view, and on the record of a logger that has none: the logger it belongs to. */
const OWNER = Symbol('logsieve.viewOwner')
/** On a view: true (a record of "no view" has false). */
const IS_VIEW = Symbol('logsieve.isView')
/** On a view: the view lines with fields are written through (fieldsViewOf), made on first use. */
const FIELDS = Symbol('logsieve.fieldsView')
const METADATA = Symbol.for('pino.metadata')
/** pino's own timestamp functions (lib/time.js, pino 8–10): arrow functions, blind to `this`. */
const STD_TIME = new Set(['nullTime', 'epochTime', 'unixTime', 'isoTime', 'isoTimeNano'])
/**
 * The tracing channel pino's asJson publishes on (pino 9 and 10), with `traceSync`: its start, end and
 * error channels are the ones that carry `instance`. Read one by one (a channel's `hasSubscribers` is a
 * getter V8 inlines), not through the tracing channel's own getter, a call on every kept line.
 */
const asJson =
  typeof diagnostics.tracingChannel === 'function' ? diagnostics.tracingChannel('pino_asJson') : undefined
const watched = (): boolean =>
  asJson !== undefined &&
  (asJson.start.hasSubscribers || asJson.end.hasSubscribers || asJson.error.hasSubscribers)

type Held = Record<symbol, unknown>

/** The view to write `logger`'s line through, or undefined to write through the logger itself. */
export function viewOf(logger: object): Held | undefined {
  if (watched()) return undefined
  const held = (logger as Held)[VIEW] as Held | undefined
  // A child inherits its parent's VIEW property: the record names its own logger (a property load, where
  // Object.getPrototypeOf cost ~15 ns a line).
  if (held !== undefined && held[OWNER] === logger) return held[IS_VIEW] === true ? held : undefined
  if (!Object.isExtensible(logger)) return undefined
  const ok = invisible(logger)
  const record = (ok ? Object.create(logger) : {}) as Held
  record[IS_VIEW] = ok
  record[OWNER] = logger
  // Present from the start: one object shape for every view.
  record[FIELDS] = undefined
  Object.defineProperty(logger, VIEW, { value: record, configurable: true, writable: true })
  return ok ? record : undefined
}

/** Whether pino's write path cannot tell a view of `logger` from the logger (see the file comment). */
function invisible(logger: object): boolean {
  const rec = logger as Held
  const streamKey = findSymbol(logger, 'pino.stream')
  const stream = streamKey === undefined ? undefined : (rec[streamKey] as Held | undefined)
  if (stream === undefined || stream === null || stream[METADATA] === true) return false
  const mixin = findSymbol(logger, 'pino.mixin')
  if (mixin === undefined || rec[mixin] !== undefined) return false
  const time = findSymbol(logger, 'pino.time')
  const fn = time === undefined ? undefined : rec[time]
  return typeof fn === 'function' && STD_TIME.has(fn.name)
}

/**
 * The view a line with fields is written through: its own copy of the bindings is set for that line and
 * restored after. A line without fields goes through `view` itself, which never holds bindings of its own,
 * so it always reads the logger's: nothing to set or restore.
 */
export function fieldsViewOf(view: Held): Held {
  let fields = view[FIELDS] as Held | undefined
  if (fields === undefined) {
    fields = Object.create(view[OWNER] as object) as Held
    view[FIELDS] = fields
  }
  return fields
}
