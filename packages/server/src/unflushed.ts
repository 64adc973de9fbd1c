// Counts and metadata of one service/environment waiting for the next flush, as columns over the
// group's pattern ids (see stats-columns.ts); turned into the store's row objects as they are written.
import { fieldsOf, IdRows, type PatternIndex, reindex, splitPatternKey, TextColumn } from './stats-columns.js'
import type { MinuteStats, OverflowStats, PatternMeta } from './store/types.js'

/** The columns of a minute row. */
export const MINUTE_ROW = fieldsOf('seen', 'kept', 'bytes', 'keptBytes', 'plainBytes')
/** The columns of a metadata row. */
const META = fieldsOf('firstSeen', 'lastSeen')

export class Unflushed {
  /** minute → one row of counts per pattern id */
  readonly minutes = new Map<number, IdRows>()
  /** minute → lines of patterns past the cap, and the batches' own overflow rows */
  readonly overflow = new Map<number, OverflowStats>()
  /** Each pattern seen: its first and last sighting; its template and example by the same row. */
  private readonly meta = new IdRows(META.width)
  private readonly templates = new TextColumn()
  private readonly examples = new TextColumn()

  constructor(
    readonly service: string,
    readonly environment: string,
    public index: PatternIndex,
  ) {}

  /** Moves the rows onto `index` (the group's tracked patterns were loaded again). */
  useIndex(index: PatternIndex): void {
    const to = reindex(this.index, index)
    this.meta.renumber(to)
    for (const rows of this.minutes.values()) rows.renumber(to)
    this.index = index
  }

  /** Notes a sighting of pattern `id` (its latest template and example win). */
  see(id: number, template: string, example: string | undefined, firstSeen: number, lastSeen: number): void {
    const v = this.meta.values
    let row = this.meta.find(id)
    if (row < 0) {
      row = this.meta.row(id)
      this.examples.set(row, example ?? null)
      this.meta.values[row * META.width + META.firstSeen] = firstSeen
      this.meta.values[row * META.width + META.lastSeen] = lastSeen
    } else {
      if (example !== undefined) this.examples.set(row, example)
      const at = row * META.width
      if (firstSeen < v[at + META.firstSeen]!) v[at + META.firstSeen] = firstSeen
      if (lastSeen > v[at + META.lastSeen]!) v[at + META.lastSeen] = lastSeen
    }
    this.templates.set(row, template)
  }

  /** The counts rows of one minute. */
  minute(minute: number): IdRows {
    let rows = this.minutes.get(minute)
    if (!rows) {
      rows = new IdRows(MINUTE_ROW.width)
      this.minutes.set(minute, rows)
    }
    return rows
  }

  /** Patterns with metadata to write. */
  get patterns(): number {
    return this.meta.size
  }

  /** The id of a metadata row. */
  idAt(row: number): number {
    return this.meta.ids[row]!
  }

  /** True when the metadata row's template is `text`. */
  templateIs(row: number, text: string): boolean {
    return this.templates.equals(row, text)
  }

  firstSeenAt(row: number): number {
    return this.meta.values[row * META.width + META.firstSeen]!
  }

  lastSeenAt(row: number): number {
    return this.meta.values[row * META.width + META.lastSeen]!
  }

  metaAt(row: number): PatternMeta {
    const at = row * META.width
    return {
      service: this.service,
      environment: this.environment,
      ...splitPatternKey(this.index.key(this.meta.ids[row]!)),
      template: this.templates.get(row)!,
      example: this.examples.get(row),
      firstSeen: this.meta.values[at + META.firstSeen]!,
      lastSeen: this.meta.values[at + META.lastSeen]!,
    }
  }

  *metas(): Generator<PatternMeta> {
    for (let row = 0; row < this.meta.size; row++) yield this.metaAt(row)
  }

  *rows(): Generator<MinuteStats> {
    const { service, environment } = this
    for (const [minute, rows] of this.minutes) {
      const v = rows.values
      for (let row = 0; row < rows.size; row++) {
        const at = row * MINUTE_ROW.width
        yield {
          service,
          environment,
          ...splitPatternKey(this.index.key(rows.ids[row]!)),
          minute,
          seen: v[at + MINUTE_ROW.seen]!,
          kept: v[at + MINUTE_ROW.kept]!,
          bytes: v[at + MINUTE_ROW.bytes]!,
          keptBytes: v[at + MINUTE_ROW.keptBytes]!,
          plainBytes: v[at + MINUTE_ROW.plainBytes]!,
        }
      }
    }
  }
}
