// Policy generation around the pure core generator: take the stats pending since the last run, build
// observations, load settings, pins and the previous policy, call generatePolicy, store an immutable
// version and notify subscribers. Runs for one service/environment are serialized.
import { groupKey, type Policy, parseSettings, type Settings } from '@logsieve/core'
import type { Logger } from 'pino'
import type { ResolvedOptions } from '../config.js'
import { ApiError } from '../errors.js'
import type { Metrics } from '../metrics.js'
import type { PolicyHub } from '../policies.js'
import { type Pending, pendingSeconds, type StatsAggregator } from '../stats-aggregator.js'
import { SqliteStore } from '../store/sqlite.js'
import { isShared, type SharedStore, type Store } from '../store/types.js'
import { type PipelineJob, runPipeline } from './pipeline.js'
import { type GenerationWorker, IN_PROCESS_MAX } from './worker-client.js'

export interface GenerateOptions {
  /** Compute and return the would-be policy without storing it or touching the rate baselines. */
  dryRun?: boolean
  author?: string
  reason?: string
}

export interface GenerateResult {
  /** The stored version, or the would-be policy (version = next) on a dry run. */
  policy: Policy
  projection: Policy['projection']
  overBudget: boolean
  cap: number
  dryRun: boolean
  /** False when the generated rules equal the current ones: no new version is stored. */
  changed: boolean
  stored: boolean
}

interface Deps {
  store: Store
  stats: StatsAggregator
  policies: PolicyHub
  metrics: Metrics
  logger: Logger
  options: ResolvedOptions
  worker: GenerationWorker
}

export const defaultSettings = (): Settings => (parseSettings({}) as { ok: true; value: Settings }).value

export class PolicyGenerator {
  private readonly running = new Map<string, Promise<unknown>>()

  constructor(private readonly d: Deps) {}

  private get worker(): GenerationWorker {
    return this.d.worker
  }

  /** Generate for one service/environment; runs for the same pair are serialized. */
  generate(service: string, environment: string, opts: GenerateOptions = {}): Promise<GenerateResult> {
    return this.queue(service, environment, () =>
      this.run(service, environment, opts, false),
    ) as Promise<GenerateResult>
  }

  /**
   * A scheduled generation: skipped (undefined) when nothing is pending for the group once it holds the
   * group, or, on a shared store, when another process is generating the group right now (that process
   * takes the stats; waiting for it would only find them gone and generate from nothing).
   */
  generateIfPending(service: string, environment: string): Promise<GenerateResult | undefined> {
    return this.queue(service, environment, () => this.run(service, environment, {}, true))
  }

  /** Runs `fn` after every earlier run for the same pair has settled. */
  private queue<T>(service: string, environment: string, fn: () => Promise<T>): Promise<T> {
    const k = groupKey(service, environment)
    const prev = this.running.get(k) ?? Promise.resolve()
    const next = prev.then(fn, fn)
    this.running.set(k, next)
    void next
      .finally(() => {
        if (this.running.get(k) === next) this.running.delete(k)
      })
      .catch(() => {})
    return next
  }

  private async run(
    service: string,
    environment: string,
    opts: GenerateOptions,
    ifPending: boolean,
  ): Promise<GenerateResult | undefined> {
    const { store, policies } = this.d
    if (!isShared(store)) return this.runOn(store, service, environment, opts, ifPending)
    // Shared store: one process at a time per group, and nothing is committed by a process dying midway
    // (a failed generation rolls back, its stats included).
    const body = (tx: SharedStore) => this.runOn(tx, service, environment, opts, ifPending)
    const result = ifPending
      ? await store.tryExclusive(service, environment, body)
      : await store.exclusive(service, environment, body)
    if (result?.stored) policies.accept(result.policy)
    return result
  }

  private async runOn(
    store: Store,
    service: string,
    environment: string,
    opts: GenerateOptions,
    ifPending: boolean,
  ): Promise<GenerateResult | undefined> {
    const { stats, options } = this.d
    const dryRun = opts.dryRun === true
    await stats.flush()
    const now = options.now()
    if (isShared(store)) {
      // Checked under the lock: a process that generated the group just before took its stats.
      if (ifPending && !(await store.hasPending(service, environment))) return undefined
      const pending = await store.takePending(service, environment, now, dryRun)
      return this.generateFrom(store, service, environment, opts, pending, now)
    }
    if (ifPending && !stats.peekPending(service, environment)) return undefined
    const pending = dryRun
      ? stats.peekPending(service, environment)
      : stats.takePending(service, environment, now)
    try {
      return await this.generateFrom(store, service, environment, opts, pending, now)
    } catch (err) {
      // A failed generation must not consume the period's stats: they count toward the next run.
      if (!dryRun) stats.restorePending(service, environment, pending)
      throw err
    }
  }

  private async generateFrom(
    store: Store,
    service: string,
    environment: string,
    opts: GenerateOptions,
    pending: Pending | undefined,
    now: number,
  ): Promise<GenerateResult> {
    const { policies, metrics, options } = this.d
    const dryRun = opts.dryRun === true
    const settings = (await store.getSettings(service)) ?? defaultSettings()
    const pins = (await store.listPins(service)).filter((p) => !p.expiresAt || Date.parse(p.expiresAt) > now)
    const apart = (await store.listSeparations(service, environment)).map((s) => s.signatures)
    const current = await policies.load(service, environment, isShared(store) ? store : undefined)
    const previous = current.policy.version > 0 ? current.policy : undefined
    const job: PipelineJob = {
      service,
      environment,
      now,
      dryRun,
      options: {
        retentionDays: options.retentionDays,
        anomalyZ: options.anomalyZ,
        emaAlpha: options.emaAlpha,
        generationIntervalMs: options.generationIntervalMs,
      },
      compute: {
        input: { service, environment, instances: pending?.instances.size, settings, pins, previous, now },
        version: current.policy.version + 1,
        apart,
        author: opts.author ?? 'generator',
        reason: opts.reason,
      },
    }
    const counts = pending && { patterns: pending.patterns, seconds: pendingSeconds(pending, now) }
    const db = await this.workerDatabase(store, service, environment, pending)
    const inWorker = db !== undefined ? await this.worker.generate(db, job, counts) : undefined
    if (inWorker) metrics.inc('logsieve_generation_worker_jobs_total')
    const out = inWorker ?? (await runPipeline(store, job, counts, this.worker.begin()))
    if (out.empty) {
      throw new ApiError(
        409,
        'LOGSIEVE_NO_STATS',
        `no stats received for ${service}/${environment} yet`,
        'service',
      )
    }
    const { computed, observations } = out
    if (!computed.ok) {
      metrics.inc('logsieve_policy_generations_total', { result: 'invalid' })
      throw new ApiError(500, 'LOGSIEVE_GENERATED_POLICY_INVALID', computed.message, computed.field)
    }
    const policy = JSON.parse(computed.policy) as Policy
    const { changed, overBudget, cap } = computed
    const projection = policy.projection
    const base = { projection, overBudget, cap, dryRun, changed }
    if (dryRun) return { ...base, policy, stored: false }
    const labels = { service, environment }
    metrics.set('logsieve_patterns', labels, observations)
    if (projection) {
      metrics.set('logsieve_observed_bytes_per_day', labels, projection.bytesPerDayBefore)
      metrics.set('logsieve_projected_bytes_per_day', labels, projection.bytesPerDayAfter)
      const budget = projection.budgetBytesPerDay
      if (budget != null) metrics.set('logsieve_budget_bytes_per_day', labels, budget)
    }
    if (!changed) {
      metrics.inc('logsieve_policy_generations_total', { result: 'unchanged' })
      return { ...base, policy: current.policy, stored: false }
    }
    const { version: _v, ...rest } = policy
    const stored = await policies.publish(rest, store)
    metrics.inc('logsieve_policy_generations_total', { result: 'stored' })
    this.d.logger.info({ service, environment, version: stored.version, overBudget }, 'policy generated')
    return { ...base, policy: stored, stored: true }
  }

  /**
   * The SQLite file the worker generates over, itself: a file store (not shared, not in memory) and a
   * service with more patterns than are worth a thread hop.
   */
  private async workerDatabase(
    store: Store,
    service: string,
    environment: string,
    pending: Pending | undefined,
  ): Promise<string | undefined> {
    if (!(store instanceof SqliteStore) || store.db.memory) return undefined
    if ((pending?.patterns.size ?? 0) > IN_PROCESS_MAX) return store.db.name
    const some = await store.listPatterns(service, environment, { limit: IN_PROCESS_MAX + 1 })
    return some.length > IN_PROCESS_MAX ? store.db.name : undefined
  }

  /** Ends the generation worker (after `idle`). */
  close(): Promise<void> {
    return this.d.worker.close()
  }

  /** Resolves once every running generation has settled (server shutdown). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.running.values()])
  }
}
