// Which SDK instances reported stats lately, per service/environment: the dashboard's "instances
// reporting". Reports are kept in the store, so every replica counts the same instances; they are written
// in batches (at each stats flush, and before a count), never one write per stats request.
import { groupKey, splitGroupKey } from '@logsieve/core'
import type { InstanceReport, Store } from './store/types.js'

/** An instance that sent stats this recently is "reporting" (the dashboard; the floor's lines per pattern). */
export const REPORTING_MS = 10 * 60_000
/** Instances held between two writes per service/environment; past it, the write starts at once. */
const MAX_PER_GROUP = 10_000

export class InstanceTracker {
  /** groupKey → instance → latest report (ms), not yet written. */
  private unwritten = new Map<string, Map<string, number>>()
  private writing: Promise<void> = Promise.resolve()

  constructor(
    private readonly store: Store,
    /** Called when a write started by a full group fails (there is no caller to throw to). */
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  report(service: string, environment: string, instance: string, at: number): void {
    if (this.hold(service, environment, instance, at) >= MAX_PER_GROUP) this.flush().catch(this.onError)
  }

  /** Holds a report for the next write; returns how many its group holds. */
  private hold(service: string, environment: string, instance: string, at: number): number {
    const k = groupKey(service, environment)
    let group = this.unwritten.get(k)
    if (!group) {
      group = new Map()
      this.unwritten.set(k, group)
    }
    group.set(instance, Math.max(at, group.get(instance) ?? at))
    return group.size
  }

  /** Writes the reports held; one write at a time, a failed one's reports kept for the next. */
  flush(): Promise<void> {
    const run = async (): Promise<void> => {
      if (this.unwritten.size === 0) return
      const held = this.unwritten
      this.unwritten = new Map()
      const reports: InstanceReport[] = []
      for (const [k, group] of held) {
        const [service, environment] = splitGroupKey(k)
        for (const [instance, at] of group) reports.push({ service, environment, instance, at })
      }
      try {
        await this.store.writeInstances(reports)
      } catch (err) {
        for (const r of reports) this.hold(r.service, r.environment, r.instance, r.at)
        throw err
      }
    }
    this.writing = this.writing.then(run, run)
    return this.writing
  }

  /** Instances of a service/environment that reported at or after `since`, as every replica counts them. */
  async count(service: string, environment: string, since: number): Promise<number> {
    await this.flush()
    return this.store.countInstances(service, environment, since)
  }
}
