// On a shared store, each pattern's metadata row as last written, by pattern id: a row is rewritten at
// most every META_REFRESH_MS when only its last sighting moved (every rewrite is a row lock the other
// replicas' writes queue behind).
import type { PatternIndex } from './stats-columns.js'
import type { PatternMeta } from './store/types.js'

export const META_REFRESH_MS = 60_000

export class WrittenMeta {
  private readonly templates: Array<string | undefined> = []
  /** firstSeen, lastSeen per id */
  private times = new Float64Array(128)

  constructor(readonly index: PatternIndex) {}

  /** True when `m` (pattern `id`) is new, changed, or was last written META_REFRESH_MS ago. */
  due(id: number, m: PatternMeta): boolean {
    const template = this.templates[id]
    if (template === undefined) return true
    return (
      template !== m.template ||
      m.firstSeen < this.times[2 * id]! ||
      m.lastSeen - this.times[2 * id + 1]! >= META_REFRESH_MS
    )
  }

  written(id: number, m: PatternMeta): void {
    if (this.times.length < 2 * id + 2) {
      const times = new Float64Array(Math.max(2 * this.times.length, 2 * id + 2))
      times.set(this.times)
      this.times = times
    }
    this.templates[id] = m.template
    this.times[2 * id] = m.firstSeen
    this.times[2 * id + 1] = m.lastSeen
  }
}
