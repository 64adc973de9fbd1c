// Which SDK instances reported stats lately, per service/environment (in memory, bounded): the
// dashboard's "instances reporting". Each server process counts the instances that reached it.
import { groupKey } from '@logsieve/core'

/** Instances remembered per service/environment; the longest-silent are forgotten first. */
const MAX_PER_GROUP = 10_000

export class InstanceTracker {
  private readonly groups = new Map<string, Map<string, number>>()

  report(service: string, environment: string, instance: string, at: number): void {
    const k = groupKey(service, environment)
    let group = this.groups.get(k)
    if (!group) {
      group = new Map()
      this.groups.set(k, group)
    }
    // Re-inserting keeps the map in last-report order, so the first entry is the longest silent.
    group.delete(instance)
    group.set(instance, at)
    if (group.size > MAX_PER_GROUP) group.delete(group.keys().next().value!)
  }

  /** Instances of a service/environment that reported at or after `since`. */
  count(service: string, environment: string, since: number): number {
    const group = this.groups.get(groupKey(service, environment))
    if (!group) return 0
    let n = 0
    for (const at of group.values()) if (at >= since) n++
    return n
  }
}
