// Every field of a wire type, one at a time, at and past its limits: taken from the JSON Schema a
// definition carries (core's check.ts), applied to a valid example that holds every optional field. Tests
// compare two checks of the same type over all of these, so a field added to a definition is covered
// the day it is added.

type Schema = Record<string, unknown>
export type Path = Array<string | number>

export interface Mutation {
  /** Where the value was changed, e.g. `['rules', 0, 'rate']`. */
  path: Path
  /** What it became, for failure messages. */
  label: string
  input: unknown
}

/** `rules[0].rate`, or `rules[].rate` with `anyIndex` (a field, whichever item). */
export function pathText(path: Path, anyIndex = false): string {
  let out = ''
  for (const part of path) {
    if (typeof part === 'number') out += anyIndex ? '[]' : `[${part}]`
    else out += out ? `.${part}` : part
  }
  return out
}

const clone = <T>(v: T): T => structuredClone(v)

/** `root` with the value at `path` replaced (`undefined`: the key removed). */
function replaced(root: unknown, path: Path, value: unknown): unknown {
  if (path.length === 0) return value
  const out = clone(root) as Record<string | number, unknown>
  let at = out
  for (const part of path.slice(0, -1)) at = at[part] as Record<string | number, unknown>
  const last = path[path.length - 1] as string | number
  if (value === undefined) delete at[last]
  else at[last] = value
  return out
}

function numbers(s: Schema): unknown[] {
  const int = s.type === 'integer'
  const out: unknown[] = ['1', null, true]
  const lo = (s.minimum ?? s.exclusiveMinimum) as number | undefined
  const hi = (s.maximum ?? s.exclusiveMaximum) as number | undefined
  for (const edge of [lo, hi]) {
    if (edge === undefined) continue
    const step = int ? 1 : Math.max(Math.abs(edge) * 1e-9, 1e-9)
    out.push(edge, edge - step, edge + step)
  }
  if (int) out.push((lo ?? 0) + 0.5)
  if (lo === undefined) out.push(-1)
  if (hi === undefined) out.push(1e300)
  return out
}

function strings(s: Schema, valid: unknown): unknown[] {
  const out: unknown[] = [7, null, '']
  const max = s.maxLength as number | undefined
  if (max !== undefined && max <= 10_000) out.push('a'.repeat(max), 'a'.repeat(max + 1))
  if (typeof s.pattern === 'string')
    out.push('bad name!', typeof valid === 'string' ? valid.toUpperCase() : 'X')
  if (s.format === 'date-time') {
    out.push('tomorrow', '0', '2026-01-05', '2026-13-05T10:00:00Z', '2026-01-05T10:00:00+01:00')
    out.push('2026-01-05T10:00:00.123456Z', '2026-01-05 10:00:00Z', '2026-01-05T10:00Z')
  }
  return out
}

/** The values tried in place of one field of schema `s` (valid example `valid`). */
function candidates(s: Schema, valid: unknown): unknown[] {
  const out: unknown[] = [undefined]
  if (Array.isArray(s.enum)) out.push(...s.enum, 'bogus', 7)
  else if (s.type === 'number' || s.type === 'integer') out.push(...numbers(s))
  else if (s.type === 'string') out.push(...strings(s, valid))
  else if (s.type === 'boolean') out.push(true, false, 'true', 0)
  else if (s.type === 'array') {
    out.push('x', {}, null, [])
    const max = s.maxItems as number | undefined
    const item = Array.isArray(valid) ? valid[0] : undefined
    if (max !== undefined && item !== undefined) out.push(Array.from({ length: max + 1 }, () => clone(item)))
    if (item !== undefined) out.push([clone(item), clone(item)])
  } else if (s.type === 'object') out.push('x', [], null, {})
  else if (Array.isArray(s.anyOf)) out.push(null, 'x', {})
  return out
}

/** Whether JSON carries `v` as it is (no holes, NaN or undefined items): what a wire body can be. */
export const isJson = (v: unknown): boolean =>
  JSON.stringify(JSON.parse(JSON.stringify(v) ?? 'null')) === JSON.stringify(v) && !hasHoles(v)

function hasHoles(v: unknown): boolean {
  if (typeof v !== 'object' || v === null) return false
  if (!Array.isArray(v)) return Object.values(v).some(hasHoles)
  // (A loop, not .some: .some skips holes.)
  for (let i = 0; i < v.length; i++) if (!(i in v) || v[i] === undefined || hasHoles(v[i])) return true
  return false
}

/** One mutation per candidate value of every field under `schema`, found by walking `valid` with it. */
export function fieldMutations(schema: Schema, valid: unknown): Mutation[] {
  const out: Mutation[] = []
  const walk = (s: Schema, value: unknown, path: Path): void => {
    for (const c of candidates(s, value)) {
      out.push({
        path,
        label: c === undefined ? 'absent' : (JSON.stringify(c)?.slice(0, 40) ?? String(c)),
        input: replaced(valid, path, c),
      })
    }
    if (Array.isArray(s.anyOf)) {
      for (const option of s.anyOf as Schema[]) if (option.type !== 'null') walkInto(option, value, path)
      return
    }
    walkInto(s, value, path)
  }
  const walkInto = (s: Schema, value: unknown, path: Path): void => {
    if (s.type === 'object' && value && typeof value === 'object' && !Array.isArray(value)) {
      const props = (s.properties ?? {}) as Record<string, Schema>
      for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
        const sub = props[key] ?? (s.additionalProperties as Schema | undefined)
        if (sub) walk(sub, child, [...path, key])
      }
      for (const key of Object.keys(props)) {
        if (!(key in (value as object))) walk(props[key] as Schema, undefined, [...path, key])
      }
      if (s.propertyNames) {
        const first = Object.values(value as object)[0]
        for (const k of ['bogus', ...(((s.propertyNames as Schema).enum as string[]) ?? [])]) {
          out.push({
            path: [...path, k],
            label: `key ${k}`,
            input: replaced(valid, [...path, k], first ?? 1),
          })
        }
      }
    }
    if (s.type === 'array' && Array.isArray(value) && value.length > 0)
      walk(s.items as Schema, value[0], [...path, 0])
  }
  walk(schema, valid, [])
  return out
}
