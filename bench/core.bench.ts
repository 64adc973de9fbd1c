// Core hot-path costs as ratios against plain pino in the same run (DESIGN §9: a dropped line ≤ 15% of a
// kept pino line), plus the stats table and the generator on 2,000 patterns.
import pino from 'pino'
import {
  computeSignature,
  createCoarseClock,
  createSampler,
  createStatsTable,
  generatePolicy,
  type PatternObservation,
  parsePolicy,
  parseSettings,
  templateSignature,
} from '../packages/core/src/index.js'

/**
 * ns per call of each case: the best of `rounds` timed loops, with the cases interleaved round by round
 * so that load from other processes drifts into baseline and candidates alike.
 */
function measureAll(
  cases: Record<string, (i: number) => void>,
  iterations: number,
  rounds = 9,
): Record<string, number> {
  const best: Record<string, number> = {}
  for (const [name, fn] of Object.entries(cases)) {
    for (let i = 0; i < iterations; i++) fn(i) // warm up the JIT
    best[name] = Number.POSITIVE_INFINITY
  }
  for (let r = 0; r < rounds; r++) {
    for (const [name, fn] of Object.entries(cases)) {
      const start = process.hrtime.bigint()
      for (let i = 0; i < iterations; i++) fn(i)
      best[name] = Math.min(best[name] as number, Number(process.hrtime.bigint() - start) / iterations)
    }
  }
  return best
}

function measure(fn: (i: number) => void, iterations: number, rounds = 5): number {
  return measureAll({ fn }, iterations, rounds).fn as number
}

const pct = (x: number, base: number) => `${((100 * x) / base).toFixed(1)}%`
const IPS = Array.from({ length: 1000 }, (_, i) => `10.0.${i >> 8}.${i & 255}`)

export default async function (): Promise<void> {
  const N = 200_000
  const devNull = pino.destination({ dest: '/dev/null', sync: true })
  const toDevNull = pino({ base: { pid: 1, hostname: 'h' } }, devNull)
  const noopStream = { write: (_s: string) => {} }
  const toWrite = pino({ base: { pid: 1, hostname: 'h' } }, noopStream)

  const format = 'user %s logged in from %s'
  const fmtSig = templateSignature(format).signature
  const rendered = IPS.map((ip, i) => `user ${i} logged in from ${ip}`)
  const renderedSig = computeSignature(rendered[0]).signature
  const policy = parsePolicy({
    service: 'bench',
    version: 1,
    rules: [
      { signature: fmtSig, rate: 0 },
      { signature: renderedSig, rate: 0 },
    ],
  })
  if (!policy.ok) throw policy.error
  const dropper = createSampler({ policy: policy.value })
  const keepPolicy = parsePolicy({ service: 'bench', version: 1, rules: [{ signature: fmtSig, rate: 1 }] })
  if (!keepPolicy.ok) throw keepPolicy.error
  const keeper = createSampler({ policy: keepPolicy.value })

  // A sampled pattern: every line checks the per-minute floor (the Node SDK's coarse clock) and draws.
  const sampledPolicy = parsePolicy({ service: 'bench', version: 1, defaults: { levels: { info: 1 / 16 } } })
  if (!sampledPolicy.ok) throw sampledPolicy.error
  const clock = createCoarseClock()
  const sampled = createSampler({ policy: sampledPolicy.value, now: clock.now })

  const traced = '4bf92f3577b34da6a3ce929d0e0e4736'
  const table = createStatsTable()
  const sigs = Array.from({ length: 500 }, (_, i) => i.toString(16).padStart(16, '0'))
  const t = measureAll(
    {
      pinoDevNull: (i) => toDevNull.info('user %s logged in from %s', i, IPS[i % 1000]),
      pinoNoop: (i) => toWrite.info('user %s logged in from %s', i, IPS[i % 1000]),
      dropFormat: (i) => dropper.decide(30, format, { isFormat: true, bytes: 120 + (i & 7) }),
      dropRendered: (i) => dropper.decide(30, rendered[i % 1000]),
      dropTraced: () => dropper.decide('info', format, { isFormat: true, traceId: traced }),
      keepFormat: () => keeper.decide(30, format, { isFormat: true }),
      sampledFormat: () => sampled.decide(30, format, { isFormat: true }),
      count: (i) => table.count(sigs[i % 500] as string, 'info', 't', false, 100),
    },
    N / 2,
  ) as Record<
    | 'pinoDevNull'
    | 'pinoNoop'
    | 'dropFormat'
    | 'dropRendered'
    | 'dropTraced'
    | 'keepFormat'
    | 'sampledFormat'
    | 'count',
    number
  >
  const { pinoDevNull, pinoNoop, dropFormat, dropRendered, dropTraced, keepFormat, sampledFormat, count } = t
  clock.stop()

  console.log('| measurement | ns/op | vs pino info → /dev/null | vs pino info → no-op stream |')
  console.log('|---|---|---|---|')
  const row = (name: string, ns: number) =>
    console.log(`| ${name} | ${ns.toFixed(0)} | ${pct(ns, pinoDevNull)} | ${pct(ns, pinoNoop)} |`)
  row('pino info (baseline, /dev/null)', pinoDevNull)
  row('pino info (baseline, no-op stream)', pinoNoop)
  row('decide() dropped, format string', dropFormat)
  row('decide() dropped, rendered message (cached)', dropRendered)
  row('decide() dropped, format + W3C trace id', dropTraced)
  row('decide() kept, format string', keepFormat)
  row('decide() sampled at 1/16 (floor check, coarse clock)', sampledFormat)
  row('stats table count()', count)
  console.log(
    `\ndropped line / pino line: ${(dropFormat / pinoDevNull).toFixed(3)} (target ≤ 0.15; no-op stream: ${(dropFormat / pinoNoop).toFixed(3)})`,
  )

  // Generator on 2,000 patterns (zipf-like volumes), against JSON round-tripping the same input.
  const now = Date.now()
  const patterns: PatternObservation[] = Array.from({ length: 2000 }, (_, i) => ({
    signature: i.toString(16).padStart(16, '0'),
    level: i % 10 === 0 ? 'debug' : i % 50 === 0 ? 'error' : 'info',
    template: `pattern ${i} <*> did <*>`,
    eventsPerSecond: 5000 / (i + 1) ** 1.1,
    bytesPerEvent: 150 + (i % 300),
    firstSeen: now - 86_400_000,
  }))
  const settings = parseSettings({ budget: { reduction: 0.8 } })
  if (!settings.ok) throw settings.error
  const input = { service: 'bench', environment: 'prod', patterns, settings: settings.value, now }
  const gen = measure(() => generatePolicy(input), 20, 5)
  const json = measure(() => JSON.parse(JSON.stringify(input)), 20, 5)
  const g = generatePolicy(input)
  console.log(
    `\ngeneratePolicy, 2,000 patterns: ${(gen / 1e6).toFixed(2)} ms (${(gen / json).toFixed(1)}× a JSON round trip of its input)`,
  )
  console.log(
    `  projection: ${(g.projection.bytesPerDayAfter / (g.projection.budgetBytesPerDay ?? 1)).toFixed(3)} of the budget, cap ${g.cap.toFixed(2)} ev/s`,
  )
  devNull.flushSync()
}
