// Hot SDK objects (the sampler, the stats table, the sieve) expose a read-only property or two. Written as
// a getter in an object literal, V8 makes the whole object a dictionary: every method call on it is then a
// generic property lookup (~90 instructions, three of them on each kept pino line). A getter defined
// after the object is built keeps it fast.

/** `target` with an enumerable read-only accessor `name` returning `get()`. */
export function withGetter<T extends object, K extends string, V>(
  target: T,
  name: K,
  get: () => V,
): T & { readonly [P in K]: V } {
  Object.defineProperty(target, name, { get, enumerable: true, configurable: true })
  return target as T & { readonly [P in K]: V }
}
