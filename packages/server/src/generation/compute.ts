// The CPU-heavy half of a generation, pure and self-contained so it runs in the generation worker:
// generatePolicy, the stored candidate's fields, its validation, and whether its rules changed.
import {
  type GeneratorInput,
  generatePolicy,
  type PatternObservation,
  type Policy,
  parsePolicy,
} from '@logsieve/core'
import { groupObservations } from './grouping.js'

export interface ComputeJob {
  input: Omit<GeneratorInput, 'patterns'>
  /** The version the candidate would get. */
  version: number
  /** Signature sets an admin keeps apart (splits, forbidden merges). */
  apart: string[][]
  author: string
  reason: string | undefined
}

export type ComputeResult =
  | {
      ok: true
      /** The validated candidate policy, serialized (one string crosses threads faster than objects). */
      policy: string
      changed: boolean
      overBudget: boolean
      cap: number
    }
  | { ok: false; message: string; field: string | undefined }

/** One generation's observations, handed on page by page, then its policy computed from them. */
export interface ComputeSession {
  add(patterns: PatternObservation[]): void
  run(job: ComputeJob): Promise<ComputeResult>
  drop(): void
}

/** A session computed on the calling thread. */
export function localSession(): ComputeSession {
  const list: PatternObservation[] = []
  return {
    add: (patterns) => {
      for (const p of patterns) list.push(p)
    },
    run: async (job) => computePolicy(job, list),
    drop: () => {
      list.length = 0
    },
  }
}

/** Rules and defaults without boost expiries, which move on every run and are not a change by themselves. */
const essence = (p: Pick<Policy, 'defaults' | 'rules' | 'patterns'>): string =>
  JSON.stringify([
    p.defaults,
    p.rules.map(({ expiresAt: _e, template: _t, ...r }) => r),
    // Order-free: members and patterns are ordered by volume, which moves on every run.
    (p.patterns ?? []).map((g) => `${g.id}:${[...g.members].sort().join(',')}`).sort(),
  ])

export function computePolicy(job: ComputeJob, patterns: PatternObservation[]): ComputeResult {
  const { input } = job
  const grouped = groupObservations({
    observations: patterns,
    previous: input.previous,
    apart: job.apart,
    pins: (input.pins ?? []).filter((p) => !p.expiresAt || Date.parse(p.expiresAt) > input.now),
  })
  const result = generatePolicy({ ...input, patterns: grouped.observations })
  const candidate = {
    ...result.policy,
    ...(grouped.patterns.length > 0 ? { patterns: grouped.patterns } : {}),
    service: input.service,
    environment: input.environment,
    source: 'generated' as const,
    createdAt: new Date(input.now).toISOString(),
    author: job.author,
    reason:
      job.reason ?? (result.overBudget ? 'over budget: coverage floors exceed it' : 'periodic generation'),
    projection: { ...result.projection, overBudget: result.overBudget },
  }
  const checked = parsePolicy({ ...candidate, version: job.version })
  if (!checked.ok) return { ok: false, message: checked.error.message, field: checked.error.field }
  const previous = input.previous
  return {
    ok: true,
    policy: JSON.stringify(checked.value),
    changed: !previous || essence(previous) !== essence(checked.value),
    overBudget: result.overBudget,
    cap: result.cap,
  }
}
