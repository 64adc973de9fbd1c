// On a shared store, each pattern's metadata row as last written, by pattern id: a row is rewritten at
// most every META_REFRESH_MS when only its last sighting moved (every rewrite is a row lock the other
// replicas' writes queue behind).
import type { PatternIndex } from './stats-columns.js'
import type { PatternMeta } from './store/types.js'
import type { Unflushed } from './unflushed.js'

export const META_REFRESH_MS = 60_000

export class WrittenMeta {
  private readonly templates: Array<string | undefined> = []
  /** firstSeen, lastSeen per id */
  private times = new Float64Array(128)

  constructor(readonly index: PatternIndex) {}

  /**
   * True when pattern `id`, metadata row `row` of `g`, is new, changed, or was last written META_REFRESH_MS
   * ago. Read in place: most rows are not due, and need no row object.
   */
  due(id: number, g: Unflushed, row: number): boolean {
    const template = this.templates[id]
    if (template === undefined) return true
    return (
      !g.templateIs(row, template) ||
      g.firstSeenAt(row) < this.times[2 * id]! ||
      g.lastSeenAt(row) - this.times[2 * id + 1]! >= META_REFRESH_MS
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
