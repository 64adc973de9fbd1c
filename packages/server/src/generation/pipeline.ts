// The steps of a generation that touch pattern rows: observations read from the stored patterns and the
// pending counts, the policy computed through a ComputeSession, and the new rate states written in short
// transactions. It runs on the server thread (a small service, PostgreSQL's transaction) or whole in the
// generation worker (a SQLite service with many patterns), so no step over a big service holds the loop.
import type { ResolvedOptions } from '../config.js'
import type { Store } from '../store/types.js'
import type { ComputeJob, ComputeResult, ComputeSession } from './compute.js'
import { observe, type PendingCounts } from './observations.js'

/** States per write: each write is one short transaction (another connection may be waiting to write). */
const STATE_CHUNK = 500

export interface PipelineJob {
  service: string
  environment: string
  now: number
  dryRun: boolean
  options: Pick<ResolvedOptions, 'retentionDays' | 'anomalyZ' | 'emaAlpha' | 'generationIntervalMs'>
  /** The compute job but for `knownSince`, which the stored patterns tell. */
  compute: Omit<ComputeJob, 'input'> & { input: Omit<ComputeJob['input'], 'knownSince'> }
}

export type PipelineResult =
  /** Nothing to generate from: no stored pattern with a rate and no stats pending. */
  { empty: true } | { empty: false; observations: number; computed: ComputeResult }

export async function runPipeline(
  store: Store,
  job: PipelineJob,
  pending: PendingCounts | undefined,
  session: ComputeSession,
): Promise<PipelineResult> {
  const { service, environment } = job
  let observed: Awaited<ReturnType<typeof observe>>
  try {
    observed = await observe(store, job.options, service, environment, pending, job.now, (page) =>
      session.add(page),
    )
  } catch (err) {
    session.drop()
    throw err
  }
  if (observed.observations === 0 && !pending) {
    session.drop()
    return { empty: true }
  }
  const { compute } = job
  const computed = await session.run({
    ...compute,
    input: { ...compute.input, knownSince: observed.knownSince },
  })
  if (computed.ok && !job.dryRun) {
    const { states } = observed
    for (let i = 0; i < states.length; i += STATE_CHUNK) {
      if (i > 0) await new Promise((r) => setImmediate(r))
      await store.updatePatternStates(service, environment, states.slice(i, i + STATE_CHUNK))
    }
  }
  return { empty: false, observations: observed.observations, computed }
}
