// Everything a route needs, built once per server.
import type { Logger } from 'pino'
import type { KeyRing } from './auth.js'
import type { ResolvedOptions } from './config.js'
import type { GenerationScheduler } from './generation.js'
import type { StatsAggregator } from './ingest.js'
import type { InstanceTracker } from './instances.js'
import type { Metrics } from './metrics.js'
import type { PolicyHub } from './policies.js'
import type { Store } from './store/types.js'

export interface ServerContext {
  options: ResolvedOptions
  store: Store
  keys: KeyRing
  policies: PolicyHub
  stats: StatsAggregator
  instances: InstanceTracker
  generation: GenerationScheduler
  metrics: Metrics
  logger: Logger
}
