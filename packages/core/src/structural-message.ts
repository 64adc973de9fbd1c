// The pattern of a line that has no message string (`log.info({ event: 'cart.updated', cartId })`): from
// its structure, so that every such statement is a pattern of its own instead of all sharing the empty
// message's. One rule for every integration (pino, winston, the browser); see docs/signature.md.

/** Keys whose string value names a message-less line, in the order they are looked at. */
export const EVENT_KEYS: readonly string[] = [
  'event',
  'msg',
  'message',
  'event_name',
  'eventName',
  'action',
  'type',
]
/** Longest event name taken as it is; a longer value is cut (it is masked like a message anyway). */
const MAX_EVENT = 200
/** Keys a key-set template holds at most (sorted, the first ones kept): bounds its cost on any object. */
const MAX_KEYS = 32

/**
 * The text a message-less line is signed by: `[key] value` for the first {@link EVENT_KEYS} key holding a
 * non-empty string (signed as a message, so ids inside it are masked), else the sorted set of the
 * object's own keys with a defined value, `{a,b,c}` (signed as a template, exactly). `isFormat` says
 * which: pass it to `Sampler.decide` as `isFormat`.
 *
 * @example structuralMessage({ event: 'cart.updated', cartId: 'c1' }) // { text: '[event] cart.updated', isFormat: false }
 * @example structuralMessage({ orderId: 7, total: 12 }) // { text: '{orderId,total}', isFormat: true }
 */
export function structuralMessage(obj: object): { text: string; isFormat: boolean } {
  const name = eventName(obj)
  return name !== undefined ? { text: name, isFormat: false } : { text: keySetTemplate(obj), isFormat: true }
}

/** `[key] value` for the first {@link EVENT_KEYS} key holding a non-empty string, else undefined. Never throws. */
export function eventName(obj: object): string | undefined {
  try {
    const rec = obj as Record<string, unknown>
    for (const key of EVENT_KEYS) {
      const value = rec[key]
      if (typeof value === 'string' && value !== '')
        return `[${key}] ${value.length > MAX_EVENT ? value.slice(0, MAX_EVENT) : value}`
    }
  } catch {
    // A getter that throws: the key set below still names the line.
  }
  return undefined
}

/** `{a,b,c}`: the object's own enumerable keys with a defined value, sorted, at most 32. Never throws. */
export function keySetTemplate(obj: object): string {
  const keys: string[] = []
  try {
    const rec = obj as Record<string, unknown>
    for (const key of Object.keys(obj)) if (rec[key] !== undefined) keys.push(key)
  } catch {
    return '{}'
  }
  keys.sort()
  if (keys.length > MAX_KEYS) keys.length = MAX_KEYS
  return `{${keys.join(',')}}`
}
