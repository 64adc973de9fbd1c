// Everything a route needs, built once per server.
import type { Logger } from 'pino'
import type { KeyRing } from './auth.js'
import type { ResolvedOptions } from './config.js'
import type { PolicyGenerator } from './generation/generator.js'
import type { InstanceTracker } from './instances.js'
import type { Scheduler } from './jobs/scheduler.js'
import type { Metrics } from './metrics.js'
import type { PolicyHub } from './policies.js'
import type { StatsAggregator } from './stats-aggregator.js'
import type { Store } from './store/types.js'

export interface ServerContext {
  options: ResolvedOptions
  store: Store
  keys: KeyRing
  policies: PolicyHub
  stats: StatsAggregator
  /** SDK instances that reported lately (the dashboard's "instances reporting"). */
  instances: InstanceTracker
  generation: PolicyGenerator
  /** Periodic generation and retention (started by `startServer`). */
  scheduler: Scheduler
  metrics: Metrics
  logger: Logger
}
