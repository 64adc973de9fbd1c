// The replay simulation: lines on a simulated clock through N samplers (the real core), stats to a real
// policy server over HTTP every interval, a generation, and each instance fetching the new policy.
import {
  computeSignature,
  createPolicyClient,
  createSampler,
  createStatsTable,
  type LevelName,
  type PolicyClient,
  type Sampler,
  toStatsBatch,
} from '@logsieve/core'
import { startServer } from '@logsieve/server'
import { ENVELOPE_BYTES, type ReplayLine } from './loghub.js'
import type { RunLines, Tally } from './replay-metrics.js'

export interface SimulationOptions {
  /** One array of lines per dataset. */
  lines: ReplayLine[][]
  /** Share of the traffic each dataset emits (same order as `lines`; normalised). @default equal */
  weights?: number[]
  instances: number
  minutes: number
  /** Mean lines per second across the fleet (the traffic curve swings ±30% around it). */
  linesPerSecond: number
  /** Budget as a fraction of the raw bytes per day. */
  keepFraction: number
  /** Stats window of every instance, seconds. */
  intervalS: number
  seed: number
  dbPath: string
}

export interface SimulationResult extends RunLines {
  logsieve: Tally
  uniform: Tally
}

const SERVICE = 'replay'
const ENVIRONMENT = 'eval'
const T0 = Date.parse('2026-01-05T00:00:00Z')
const ERROR_TEMPLATES = [
  (r: () => number) =>
    `payment declined for order ${Math.floor(r() * 1e6)} (code ${Math.floor(r() * 90) + 10})`,
  (r: () => number) => `upstream timeout after ${Math.floor(r() * 9000) + 1000}ms calling inventory`,
  (r: () => number) => `failed to commit transaction ${Math.floor(r() * 1e9)}: deadlock detected`,
]
const newPatternLine = (r: () => number) =>
  `feature flag checkout-v2 evaluated to ${r() < 0.5} for user ${Math.floor(r() * 1e6)}`

/** mulberry32: a small seeded PRNG, so runs are repeatable. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export async function simulate(o: SimulationOptions): Promise<SimulationResult> {
  const rng = seeded(o.seed)
  const seconds = o.minutes * 60
  const patternIndex = new Map<string, number>()
  const indexOf = (p: string): number => {
    let i = patternIndex.get(p)
    if (i === undefined) {
      i = patternIndex.size
      patternIndex.set(p, i)
    }
    return i
  }
  const weights = o.weights ?? o.lines.map(() => 1)
  const totalWeight = weights.reduce((a, w) => a + w, 0)
  const share = weights.map((w) => w / totalWeight)
  // Cumulative shares, to pick a dataset per line.
  const cumulative = share.map((_, i) => share.slice(0, i + 1).reduce((a, w) => a + w, 0))
  const pickDataset = (u: number): number => {
    const i = cumulative.findIndex((c) => u < c)
    return i < 0 ? cumulative.length - 1 : i
  }
  const meanBytes = o.lines.reduce(
    (a, ds, i) => a + (share[i]! * ds.reduce((b, l) => b + l.bytes, 0)) / ds.length,
    0,
  )
  const budgetBytesPerDay = o.keepFraction * meanBytes * o.linesPerSecond * 86_400

  let clock = T0
  const server = await startServer({
    port: 0,
    dbPath: o.dbPath,
    adminKey: 'replay-admin',
    generationIntervalMs: 0,
    rateLimit: false,
    now: () => clock,
  })
  const admin = { authorization: 'Bearer replay-admin', 'content-type': 'application/json' }
  const ingestKey = await server.createKey('ingest', [SERVICE], 'replay')
  const ingest = { authorization: `Bearer ${ingestKey}`, 'content-type': 'application/json' }
  const settings = await fetch(`${server.url}/v1/services/${SERVICE}/settings?environment=${ENVIRONMENT}`, {
    method: 'PUT',
    headers: admin,
    body: JSON.stringify({ budget: { bytesPerDay: budgetBytesPerDay }, boostSeconds: 600 }),
  })
  if (!settings.ok) throw new Error(`settings: ${settings.status} ${await settings.text()}`)

  // Each instance: the SDK's sampler and stats table, and the SDK's policy client (ETag, validation).
  const samplers: Sampler[] = []
  const clients: PolicyClient[] = []
  const failures: Error[] = []
  for (let i = 0; i < o.instances; i++) {
    const now = () => clock
    const sampler = createSampler({
      stats: createStatsTable({ now }),
      random: seeded(o.seed * 1000 + i),
      now,
    })
    samplers.push(sampler)
    clients.push(
      createPolicyClient({
        url: server.url,
        apiKey: ingestKey,
        service: SERVICE,
        environment: ENVIRONMENT,
        onPolicy: (policy) => sampler.setPolicy(policy),
        onError: (error) => failures.push(error),
      }),
    )
  }

  // Line records, grown as needed.
  let cap = Math.ceil(o.linesPerSecond * seconds * 1.6) + 1024
  let pattern = new Uint32Array(cap)
  let minute = new Uint16Array(cap)
  let bytes = new Uint32Array(cap)
  let warn = new Uint8Array(cap)
  let weight = new Float32Array(cap)
  let count = 0
  const grow = () => {
    cap *= 2
    const g = <T extends Uint32Array | Uint16Array | Uint8Array | Float32Array>(
      a: T,
      C: new (n: number) => T,
    ) => {
      const b = new C(cap)
      b.set(a)
      return b
    }
    pattern = g(pattern, Uint32Array)
    minute = g(minute, Uint16Array)
    bytes = g(bytes, Uint32Array)
    warn = g(warn, Uint8Array)
    weight = g(weight, Float32Array)
  }
  const emit = (s: number, p: string, content: string, level: LevelName, size: number) => {
    if (count === cap) grow()
    const d = samplers[Math.floor(rng() * o.instances)]!.decide(level, content, { bytes: size })
    pattern[count] = indexOf(p)
    minute[count] = Math.floor(s / 60)
    bytes[count] = size
    warn[count] = level === 'warn' || level === 'error' || level === 'fatal' ? 1 : 0
    weight[count] = d.keep ? d.sampleRate : 0
    count++
  }

  const cursors = o.lines.map(() => 0)
  const burstLine = o.lines[0]![0]!
  const newSignature = computeSignature(newPatternLine(rng)).signature
  let newFirstAt: number | undefined
  let newRuledAt: number | undefined
  let carry = 0
  for (let s = 0; s < seconds; s++) {
    const curve = 1 + 0.3 * Math.sin((2 * Math.PI * s) / seconds)
    carry += o.linesPerSecond * curve
    const n = Math.floor(carry)
    carry -= n
    for (let j = 0; j < n; j++) {
      clock = T0 + s * 1000 + Math.floor((j * 1000) / n)
      const d = pickDataset(rng())
      const ds = o.lines[d]!
      const line = ds[cursors[d]!++ % ds.length]!
      emit(s, line.pattern, line.content, line.level, line.bytes)
    }
    clock = T0 + s * 1000 + 999
    if (rng() < 0.2) {
      const k = Math.floor(rng() * ERROR_TEMPLATES.length)
      const text = ERROR_TEMPLATES[k]!(rng)
      emit(s, `injected:error${k}`, text, 'error', ENVELOPE_BYTES + text.length)
    }
    if (s >= seconds * 0.5) {
      for (let j = 0; j < 5; j++) {
        const text = newPatternLine(rng)
        newFirstAt ??= clock
        emit(s, 'injected:new', text, 'info', ENVELOPE_BYTES + text.length)
      }
    }
    if (s >= seconds * 0.6 && s < seconds * 0.65) {
      for (let j = 0; j < o.linesPerSecond * 0.5; j++) {
        emit(s, burstLine.pattern, burstLine.content, burstLine.level, burstLine.bytes)
      }
    }
    if ((s + 1) % o.intervalS === 0) {
      clock = T0 + (s + 1) * 1000
      await sync()
      if (newFirstAt !== undefined && newRuledAt === undefined) {
        if (samplers[0]!.policy.rules.some((r) => r.signature === newSignature)) newRuledAt = clock
      }
    }
  }
  await server.close()

  async function sync(): Promise<void> {
    await Promise.all(
      samplers.map(async (sampler, i) => {
        const batch = toStatsBatch(sampler.stats.snapshot(), {
          sdk: { name: 'eval-replay', version: '0' },
          service: SERVICE,
          environment: ENVIRONMENT,
          instance: `sim-${i}`,
          policyVersion: sampler.policy.version,
        })
        const r = await fetch(`${server.url}/v1/stats`, {
          method: 'POST',
          headers: ingest,
          body: JSON.stringify(batch),
        })
        if (!r.ok) throw new Error(`stats: ${r.status} ${await r.text()}`)
      }),
    )
    const g = await fetch(`${server.url}/v1/policies/${SERVICE}/generate?environment=${ENVIRONMENT}`, {
      method: 'POST',
      headers: admin,
    })
    if (!g.ok) throw new Error(`generate: ${g.status} ${await g.text()}`)
    await Promise.all(clients.map((client) => client.refresh()))
    // A replay that silently kept an old policy would measure nothing: fail it instead.
    if (failures.length > 0) throw failures[0]
  }

  // Uniform random sampling at the same kept bytes (over the scored minutes) as Logsieve.
  const warmupMinutes = Math.min(5, Math.floor(o.minutes / 4))
  let raw = 0
  let kept = 0
  for (let i = 0; i < count; i++) {
    if (minute[i]! < warmupMinutes) continue
    raw += bytes[i]!
    if (weight[i]! > 0) kept += bytes[i]!
  }
  const p = raw > 0 ? kept / raw : 1
  const urng = seeded(o.seed + 7)
  const uniform = new Float32Array(count)
  for (let i = 0; i < count; i++) uniform[i] = urng() < p ? 1 / p : 0

  const run: RunLines = {
    count,
    pattern: pattern.subarray(0, count),
    minute: minute.subarray(0, count),
    bytes: bytes.subarray(0, count),
    warn: warn.subarray(0, count),
    warmupMinutes,
    minutes: o.minutes,
    patterns: patternIndex.size,
    budgetBytesPerDay,
  }
  return {
    ...run,
    logsieve: {
      weight: weight.subarray(0, count),
      newPatternRuledAfterS:
        newFirstAt !== undefined && newRuledAt !== undefined ? (newRuledAt - newFirstAt) / 1000 : undefined,
    },
    uniform: { weight: uniform },
  }
}
