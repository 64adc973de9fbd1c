// Hot SDK objects (the sampler, the stats table, the sieve) expose a read-only property or two. Written as
// a getter in an object literal, V8 makes the whole object a dictionary: every method call on it is then a
// generic property lookup (~90 instructions, three of them on each kept pino line). An accessor defined
// afterwards keeps an object fast only while every object of its shape has the same getter function, so
// each name gets one shared getter, which calls the object's own function, held under a symbol.

interface Accessor {
  key: symbol
  get(this: Record<symbol, () => unknown>): unknown
}

const accessors = new Map<string, Accessor>()

function accessorOf(name: string): Accessor {
  let accessor = accessors.get(name)
  if (accessor === undefined) {
    const key = Symbol(`logsieve.${name}`)
    accessor = {
      key,
      get() {
        return (this[key] as () => unknown)()
      },
    }
    accessors.set(name, accessor)
  }
  return accessor
}

/** `target` with an enumerable read-only accessor `name` returning `get()`. */
export function withGetter<T extends object, K extends string, V>(
  target: T,
  name: K,
  get: () => V,
): T & { readonly [P in K]: V } {
  const accessor = accessorOf(name)
  Object.defineProperty(target, accessor.key, { value: get })
  Object.defineProperty(target, name, { get: accessor.get, enumerable: true, configurable: true })
  return target as T & { readonly [P in K]: V }
}
