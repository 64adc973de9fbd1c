// Retention: minute stats past the retention window are rolled up into hours; old hours are dropped, and
// so are patterns not seen within the window (which frees their place under maxPatternsPerService), and
// SDK instances silent for a day.
import type { Logger } from 'pino'
import type { ResolvedOptions } from '../config.js'
import type { Store } from '../store/types.js'

const DAY = 86_400_000

export async function runRetention(
  store: Store,
  options: Pick<ResolvedOptions, 'now' | 'retentionDays' | 'rollupRetentionDays'>,
  logger: Logger,
  /** Called when patterns were pruned (the aggregator reloads what each service tracks). */
  onPruned: () => void,
): Promise<void> {
  const now = options.now()
  const r = await store.rollup(now - options.retentionDays * DAY, now - options.rollupRetentionDays * DAY)
  if (r.rolledUp || r.deleted || r.pruned) logger.info(r, 'stats rolled up')
  if (r.pruned) onPruned()
  // "Instances reporting" looks minutes back: a day of reports is plenty.
  await store.pruneInstances(now - DAY)
}
