// `pnpm demo`: the whole loop, live. Starts the policy server on the embedded SQLite default, a sample
// Express + pino service with Logsieve under generated traffic, and shows what is seen, kept and saved
// (against what plain pino writes for the same calls) as the server learns the patterns and pushes
// policies. Bounded in time; ends with a summary.
import { rmSync } from 'node:fs'
import { parseArgs } from 'node:util'
import type { Policy, Rule } from '@logsieve/core'
import { startServer } from '@logsieve/server'
import { type DemoService, ENVIRONMENT, SERVICE, startService } from './service.js'

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '60' },
    db: { type: 'string', default: './.logsieve/demo.db' },
    reduction: { type: 'string', default: '0.9' },
    rps: { type: 'string', default: '150' },
    // On a terminal the server (and its dashboard) stays up after the run until Ctrl-C; --exit ends at once.
    exit: { type: 'boolean', default: false },
  },
})
const durationS = Number(values.duration)
const reduction = Number(values.reduction)
const rps = Number(values.rps)
if (!(durationS > 0) || !(reduction > 0 && reduction < 1) || !(rps > 0)) {
  console.error('usage: pnpm demo [--duration seconds] [--reduction 0.9] [--rps 150] [--db path] [--exit]')
  process.exit(2)
}

const tty = process.stdout.isTTY === true
const pct = (x: number): string => `${(100 * x).toFixed(1)}%`
const mb = (b: number): string => `${(b / 1e6).toFixed(2)} MB`
const events: string[] = []
const note = (text: string): void => {
  const line = `${new Date().toISOString().slice(11, 19)}  ${text}`
  events.push(line)
  if (!tty) console.log(line)
}

for (const suffix of ['', '-wal', '-shm']) rmSync(`${values.db}${suffix}`, { force: true })
const server = await startServer({
  port: 0,
  dbPath: values.db,
  adminKey: 'demo-admin-key',
  generationIntervalMs: 2_500,
  flushIntervalMs: 500,
  rateLimit: false,
})
const admin = { authorization: 'Bearer demo-admin-key', 'content-type': 'application/json' }
const ingestKey = await server.createKey('ingest', [SERVICE], 'demo service')
await fetch(`${server.url}/v1/services/${SERVICE}/settings?environment=${ENVIRONMENT}`, {
  method: 'PUT',
  headers: admin,
  body: JSON.stringify({ budget: { reduction }, floorPerMinute: 6, boostSeconds: 20, baselineSeconds: 8 }),
})
note(
  `policy server on ${server.url} (SQLite ${values.db}); budget: cut ${Math.round(reduction * 100)}% of bytes`,
)
const dashboard = `dashboard: ${server.url}/ui/  (log in with the key demo-admin-key)`
console.log(dashboard)

let previous: Policy | undefined
const rulesOf = (p: Policy | undefined): Map<string, Rule> =>
  new Map((p?.rules ?? []).map((r) => [`${r.signature}:${r.level ?? '*'}`, r]))
const phase = { newPattern: false, burst: false }
const boosted = new Set<string>()

const service: DemoService = await startService({
  serverUrl: server.url,
  ingestKey,
  phase,
  onPolicy(policy) {
    const before = rulesOf(previous)
    const after = rulesOf(policy)
    let changed = 0
    for (const [key, rule] of after) {
      const old = before.get(key)
      if (!old || old.rate !== rule.rate) changed++
      if ((rule.reason === 'new' || rule.reason === 'anomaly') && !boosted.has(`${key}:${rule.reason}`)) {
        boosted.add(`${key}:${rule.reason}`)
        note(`boost (${rule.reason}): "${rule.template ?? rule.signature}" kept at rate 1`)
      }
    }
    if (policy.version > 0) {
      const proj = policy.projection
      const cut = proj && proj.bytesPerDayBefore > 0 ? 1 - proj.bytesPerDayAfter / proj.bytesPerDayBefore : 0
      note(
        `policy v${policy.version} (${policy.source}): ${changed} rule(s) changed, projected cut ${pct(cut)}`,
      )
    }
    previous = policy
  },
})
note(`sample service (Express + pino + Logsieve) on ${service.url}, ${rps} requests/s`)

// Traffic: a fixed request rate with bounded concurrency, in phases.
const started = Date.now()
const endAt = started + durationS * 1000
let requests = 0
let failures = 0
let inFlight = 0
const traffic = setInterval(() => {
  const elapsed = (Date.now() - started) / 1000
  if (!phase.newPattern && elapsed >= durationS * 0.5) {
    phase.newPattern = true
    note('traffic: a brand-new pattern appears ("recommendations v2 …")')
  }
  const burst = elapsed >= durationS * 0.6 && elapsed < durationS * 0.75
  if (burst !== phase.burst) {
    phase.burst = burst
    note(burst ? 'traffic: burst of an existing pattern ("inventory sync …" ×60)' : 'traffic: burst over')
  }
  for (let i = 0; i < rps / 20 && inFlight < 64; i++) {
    inFlight++
    requests++
    fetch(`${service.url}/cart/${1000 + (requests % 500)}`)
      .then((r) => r.arrayBuffer())
      .catch(() => failures++)
      .finally(() => inFlight--)
  }
}, 50)

function screen(): string {
  const { kept, baseline, seen, sieve } = service
  const policy = sieve.policy
  const saved = baseline.bytes > 0 ? 1 - kept.bytes / baseline.bytes : 0
  const errorsKept = seen.errors > 0 ? kept.errors / seen.errors : 1
  const left = Math.max(0, Math.ceil((endAt - Date.now()) / 1000))
  const rules = [...policy.rules].sort(
    (a, b) => a.rate - b.rate || (a.template ?? '').localeCompare(b.template ?? ''),
  )
  const lines = [
    `Logsieve demo: ${SERVICE}/${ENVIRONMENT}   ${left}s left   requests ${requests}`,
    dashboard,
    '',
    `lines seen ${seen.lines.toLocaleString()}   kept ${kept.lines.toLocaleString()} (incl. ${kept.backfilled} backfilled)`,
    `bytes plain pino ${mb(baseline.bytes)}   with Logsieve ${mb(kept.bytes)}   saved ${pct(saved)}`,
    `errors seen ${seen.errors}   kept ${kept.errors}   (${pct(errorsKept)})`,
    `policy v${policy.version} (${policy.source})   ${policy.rules.length} rules`,
    '',
    'rate     reason   template',
    ...rules
      .slice(0, 12)
      .map(
        (r) =>
          `${`1/${Math.round(1 / Math.max(r.rate, 1e-9))}`.padEnd(8)} ${r.reason.padEnd(8)} ${r.template ?? r.signature}`,
      ),
    '',
    ...events.slice(-10),
  ]
  return lines.join('\n')
}

const draw = tty ? setInterval(() => process.stdout.write(`\x1b[H\x1b[2J${screen()}\n`), 1000) : undefined
const progress = tty
  ? undefined
  : setInterval(() => console.log(screen().split('\n').slice(3, 7).join(' | ')), 10_000)

await new Promise((resolve) => setTimeout(resolve, durationS * 1000))
clearInterval(traffic)
if (draw) clearInterval(draw)
if (progress) clearInterval(progress)
while (inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 20))
await service.close()

const { kept, baseline, seen } = service
const perLine = (c: { bytes: number; lines: number }) => `${c.lines ? Math.round(c.bytes / c.lines) : 0} B`
const saved = baseline.bytes > 0 ? 1 - kept.bytes / baseline.bytes : 0
const summary = [
  '',
  '── summary ──',
  `requests ${requests} (${failures} failed)`,
  `lines: seen ${seen.lines}, kept ${kept.lines} (${kept.backfilled} backfilled around errors)`,
  `bytes: ${mb(baseline.bytes)} plain pino, ${mb(kept.bytes)} with Logsieve: saved ${pct(saved)} (against plain bytes)`,
  // The byte cut differs from the line cut: warnings and errors, always kept, are the longer lines, and a
  // kept line may carry Logsieve's fields (sample_rate, backfilled, …), counted against the saving.
  `  lines cut ${pct(seen.lines ? 1 - kept.lines / seen.lines : 0)}; a kept line averages ${perLine(kept)} (${kept.lines ? Math.round(kept.added / kept.lines) : 0} B of them Logsieve's fields) against ${perLine(baseline)} for an average plain pino line`,
  `errors: seen ${seen.errors}, kept ${kept.errors} (${pct(seen.errors ? kept.errors / seen.errors : 1)})`,
  `policy versions: ${previous?.version ?? 0}; boosts: ${[...boosted].length}`,
]
if (tty) process.stdout.write(`\x1b[H\x1b[2J${screen()}\n`)
console.log(summary.join('\n'))
if (tty && !values.exit) {
  console.log(`\nThe ${dashboard.replace('dashboard: ', 'dashboard stays up at ')}; press Ctrl-C to stop.`)
  await new Promise((resolve) => process.once('SIGINT', resolve))
}
await server.close()
process.exitCode = kept.errors === seen.errors && failures === 0 ? 0 : 1
