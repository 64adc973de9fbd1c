// The periodic jobs of a listening server: generation for services with fresh stats every interval, and
// retention every hour (and once at start).
import type { Logger } from 'pino'
import type { ResolvedOptions } from '../config.js'
import type { PolicyGenerator } from '../generation/generator.js'
import type { StatsAggregator } from '../stats-aggregator.js'
import type { Store } from '../store/types.js'
import { runRetention } from './retention.js'

const HOUR = 3_600_000

interface Deps {
  store: Store
  stats: StatsAggregator
  generator: PolicyGenerator
  logger: Logger
  options: ResolvedOptions
}

export class Scheduler {
  private timer: NodeJS.Timeout | undefined
  private maintenanceTimer: NodeJS.Timeout | undefined

  constructor(private readonly d: Deps) {}

  start(): void {
    const { options } = this.d
    if (options.generationIntervalMs > 0) {
      this.timer = setInterval(() => void this.tick(), options.generationIntervalMs)
      this.timer.unref()
    }
    const maintain = () => void this.maintain()
    this.maintenanceTimer = setInterval(maintain, HOUR)
    this.maintenanceTimer.unref()
    maintain()
  }

  /** Generate for every service/environment with stats since its last generation. */
  async tick(): Promise<void> {
    for (const { service, environment } of this.d.stats.pendingGroups()) {
      try {
        await this.d.generator.generate(service, environment)
      } catch (err) {
        this.d.logger.error({ err, service, environment }, 'policy generation failed')
      }
    }
  }

  /** Run retention now; a failure is logged, never thrown. */
  async maintain(): Promise<void> {
    try {
      await runRetention(this.d.store, this.d.options, this.d.logger, () => this.d.stats.forgetTracked())
    } catch (err) {
      this.d.logger.error({ err }, 'retention failed')
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer)
    clearInterval(this.maintenanceTimer)
    await this.d.generator.idle()
  }
}
