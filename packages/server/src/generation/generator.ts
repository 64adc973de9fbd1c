// Policy generation around the pure core generator: take the stats pending since the last run, build
// observations, load settings, pins and the previous policy, call generatePolicy, store an immutable
// version and notify subscribers. Runs for one service/environment are serialized.
import { generatePolicy, type Policy, parsePolicy, parseSettings, type Settings } from '@logsieve/core'
import type { Logger } from 'pino'
import type { ResolvedOptions } from '../config.js'
import { ApiError } from '../errors.js'
import type { Metrics } from '../metrics.js'
import type { PolicyHub } from '../policies.js'
import type { StatsAggregator } from '../stats-aggregator.js'
import { isShared, type Store } from '../store/types.js'
import { observe } from './observations.js'

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
}

export const defaultSettings = (): Settings => (parseSettings({}) as { ok: true; value: Settings }).value

/** Rules and defaults without boost expiries, which move on every run and are not a change by themselves. */
const essence = (p: Pick<Policy, 'defaults' | 'rules'>): string =>
  JSON.stringify([p.defaults, p.rules.map(({ expiresAt: _e, template: _t, ...r }) => r)])

export class PolicyGenerator {
  private readonly running = new Map<string, Promise<unknown>>()

  constructor(private readonly d: Deps) {}

  /** Generate for one service/environment; runs for the same pair are serialized. */
  generate(service: string, environment: string, opts: GenerateOptions = {}): Promise<GenerateResult> {
    const k = `${service}\u0000${environment}`
    const prev = this.running.get(k) ?? Promise.resolve()
    const next = prev.then(
      () => this.run(service, environment, opts),
      () => this.run(service, environment, opts),
    )
    this.running.set(k, next)
    void next
      .finally(() => {
        if (this.running.get(k) === next) this.running.delete(k)
      })
      .catch(() => {})
    return next
  }

  private async run(service: string, environment: string, opts: GenerateOptions): Promise<GenerateResult> {
    const { store, policies } = this.d
    if (!isShared(store)) return this.runOn(store, service, environment, opts)
    // Shared store: one process at a time per group, and nothing is committed by a process dying midway.
    const result = await store.exclusive(service, environment, (tx) =>
      this.runOn(tx, service, environment, opts),
    )
    if (result.stored) policies.accept(result.policy)
    return result
  }

  private async runOn(
    store: Store,
    service: string,
    environment: string,
    opts: GenerateOptions,
  ): Promise<GenerateResult> {
    const { stats, policies, metrics, options } = this.d
    const dryRun = opts.dryRun === true
    await stats.flush()
    const now = options.now()
    const pending = isShared(store)
      ? await store.takePending(service, environment, now, dryRun)
      : dryRun
        ? stats.peekPending(service, environment)
        : stats.takePending(service, environment, now)
    const { observations, states, knownSince } = await observe(
      store,
      options,
      service,
      environment,
      pending,
      now,
    )
    if (observations.length === 0 && !pending) {
      throw new ApiError(
        409,
        'LOGSIEVE_NO_STATS',
        `no stats received for ${service}/${environment} yet`,
        'service',
      )
    }
    const settings = (await store.getSettings(service)) ?? defaultSettings()
    const pins = (await store.listPins(service)).filter((p) => !p.expiresAt || Date.parse(p.expiresAt) > now)
    const current = await policies.load(service, environment, isShared(store) ? store : undefined)
    const previous = current.policy.version > 0 ? current.policy : undefined
    const result = generatePolicy({
      service,
      environment,
      patterns: observations,
      knownSince,
      instances: pending?.instances.size,
      settings,
      pins,
      previous,
      now,
    })
    const candidate = {
      ...result.policy,
      service,
      environment,
      source: 'generated' as const,
      createdAt: new Date(now).toISOString(),
      author: opts.author ?? 'generator',
      reason:
        opts.reason ?? (result.overBudget ? 'over budget: coverage floors exceed it' : 'periodic generation'),
      projection: { ...result.projection, overBudget: result.overBudget },
    }
    const checked = parsePolicy({ ...candidate, version: current.policy.version + 1 })
    if (!checked.ok) {
      metrics.inc('logsieve_policy_generations_total', { result: 'invalid' })
      throw new ApiError(500, 'LOGSIEVE_GENERATED_POLICY_INVALID', checked.error.message, checked.error.field)
    }
    const changed = !previous || essence(previous) !== essence(checked.value)
    const base = {
      projection: checked.value.projection,
      overBudget: result.overBudget,
      cap: result.cap,
      dryRun,
      changed,
    }
    if (dryRun) return { ...base, policy: checked.value, stored: false }
    if (states.length) await store.updatePatternStates(service, environment, states)
    const labels = { service, environment }
    metrics.set('logsieve_patterns', labels, observations.length)
    metrics.set('logsieve_observed_bytes_per_day', labels, result.projection.bytesPerDayBefore)
    metrics.set('logsieve_projected_bytes_per_day', labels, result.projection.bytesPerDayAfter)
    const budget = result.projection.budgetBytesPerDay
    if (budget != null) metrics.set('logsieve_budget_bytes_per_day', labels, budget)
    if (!changed) {
      metrics.inc('logsieve_policy_generations_total', { result: 'unchanged' })
      return { ...base, policy: current.policy, stored: false }
    }
    const { version: _v, ...rest } = checked.value
    const stored = await policies.publish(rest, store)
    metrics.inc('logsieve_policy_generations_total', { result: 'stored' })
    this.d.logger.info(
      { service, environment, version: stored.version, overBudget: result.overBudget },
      'policy generated',
    )
    return { ...base, policy: stored, stored: true }
  }

  /** Resolves once every running generation has settled (server shutdown). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.running.values()])
  }
}
