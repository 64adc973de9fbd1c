// The periodic jobs of a listening server: generation for services with fresh stats every interval, and
// retention every hour (and once at start).
import type { Logger } from 'pino'
import type { ResolvedOptions } from '../config.js'
import type { PolicyGenerator } from '../generation/generator.js'
import type { StatsAggregator } from '../stats-aggregator.js'
import { FOLD_INTERVAL_MS } from '../store/pg-stats-inbox.js'
import { isShared, type Store } from '../store/types.js'
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
  private foldTimer: NodeJS.Timeout | undefined
  private started = false
  /** Groups with a first generation scheduled (one timer each). */
  private readonly first = new Map<string, NodeJS.Timeout>()

  constructor(private readonly d: Deps) {}

  start(): void {
    const { options } = this.d
    this.started = true
    if (options.generationIntervalMs > 0) {
      this.timer = setInterval(() => void this.tick(), options.generationIntervalMs)
      this.timer.unref()
    }
    const { store, logger } = this.d
    if (isShared(store)) {
      // Acknowledged stats wait in the shared inbox until a replica folds them into the minute rows.
      const fold = () =>
        void store.foldStats().catch((err: unknown) => logger.warn({ err }, 'stats fold failed'))
      this.foldTimer = setInterval(fold, FOLD_INTERVAL_MS)
      this.foldTimer.unref()
    }
    const maintain = () => void this.maintain()
    this.maintenanceTimer = setInterval(maintain, HOUR)
    this.maintenanceTimer.unref()
    maintain()
  }

  /** Generate for every service/environment with stats since its last generation. */
  async tick(): Promise<void> {
    const { store, stats } = this.d
    let groups: Array<{ service: string; environment: string }>
    try {
      // A shared store: the groups any process received stats for (each generates under the group's lock).
      groups = isShared(store) ? await store.pendingGroups() : stats.pendingGroups()
    } catch (err) {
      this.d.logger.error({ err }, 'policy generation skipped: pending groups unavailable')
      return
    }
    for (const { service, environment } of groups) {
      try {
        await this.d.generator.generateIfPending(service, environment)
      } catch (err) {
        this.d.logger.error({ err, service, environment }, 'policy generation failed')
      }
    }
  }

  /**
   * A group without any policy just sent its first stats: generate `firstPolicyDelayMs` later instead of
   * at the next interval, so a new service runs on a generated policy within seconds. Only while
   * periodic generation is on.
   */
  firstStats(service: string, environment: string): void {
    this.soon(service, environment, 'first policy generation failed')
  }

  /**
   * A group on one of its first generated policies (SETTLING_POLICIES) sent stats again: generate once
   * more, `firstPolicyDelayMs` later. The first policy saw a few seconds of a service that kept
   * everything; the next ones see it sampled (its backfill, its real mix) over windows twice as long each.
   */
  settleStats(service: string, environment: string): void {
    this.soon(service, environment, 'settling policy generation failed')
  }

  private soon(service: string, environment: string, failure: string): void {
    const { options, generator, logger } = this.d
    if (!this.started || options.generationIntervalMs <= 0) return
    const k = `${service}\u0000${environment}`
    if (this.first.has(k)) return
    const timer = setTimeout(() => {
      generator
        .generateIfPending(service, environment)
        .catch((err: unknown) => logger.error({ err, service, environment }, failure))
        .finally(() => this.first.delete(k))
    }, options.firstPolicyDelayMs)
    timer.unref()
    this.first.set(k, timer)
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
    this.started = false
    for (const t of this.first.values()) clearTimeout(t)
    this.first.clear()
    clearInterval(this.timer)
    clearInterval(this.maintenanceTimer)
    clearInterval(this.foldTimer)
    await this.d.generator.idle()
  }
}
