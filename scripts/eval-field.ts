// `pnpm eval:field`: the cut a user measures. A real policy server (defaults, budget `reduction`), an
// Express 5 + pino service under generated HTTP load and a winston worker, each with a plain shadow logger
// getting the same calls. Prints plain and written bytes, the cut after the first policy, errors kept, the
// time to the first policy and the count error; exits 1 when a threshold is missed.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { startServer } from '@logsieve/server'
import { type FieldApp, startPinoService, startWinstonWorker } from './lib/field-apps.js'

const { values } = parseArgs({
  options: {
    short: { type: 'boolean', default: false },
    duration: { type: 'string' },
    reduction: { type: 'string', default: '0.9' },
    rps: { type: 'string', default: '80' },
    jobs: { type: 'string', default: '40' },
    'max-cut-error': { type: 'string', default: '1' },
    'max-first-policy': { type: 'string', default: '15' },
    'max-count-error': { type: 'string', default: '2' },
    'max-count-error-whole-run': { type: 'string', default: '5' },
  },
})
const durationS = Number(values.duration ?? (values.short ? 45 : 120))
const reduction = Number(values.reduction)
const rps = Number(values.rps)

const dir = mkdtempSync(join(tmpdir(), 'logsieve-field-'))
const server = await startServer({
  port: 0,
  dbPath: join(dir, 'field.db'),
  adminKey: 'field-admin',
  rateLimit: false,
})
const admin = { authorization: 'Bearer field-admin', 'content-type': 'application/json' }
for (const service of ['field-pino', 'field-winston']) {
  await fetch(`${server.url}/v1/services/${service}/settings`, {
    method: 'PUT',
    headers: admin,
    body: JSON.stringify({ budget: { reduction } }),
  })
}
const key = await server.createKey('ingest', ['field-pino', 'field-winston'], 'eval:field')
const service = await startPinoService(server.url, key)
const worker = startWinstonWorker(server.url, key, Number(values.jobs))

let inFlight = 0
let requests = 0
const traffic = setInterval(() => {
  for (let i = 0; i < rps / 20 && inFlight < 64; i++) {
    inFlight++
    requests++
    const path = Math.random() < 0.003 ? `/boom/${requests}` : `/cart/${1000 + (requests % 500)}`
    fetch(service.url + path)
      .then((r) => r.arrayBuffer())
      .catch(() => {})
      .finally(() => inFlight--)
  }
}, 50)
await new Promise((r) => setTimeout(r, durationS * 1000))
clearInterval(traffic)
while (inFlight > 0) await new Promise((r) => setTimeout(r, 20))
await service.close()
await worker.close()
await server.close()
rmSync(dir, { recursive: true, force: true })

const pct = (x: number) => `${(100 * x).toFixed(1)}%`
const kb = (b: number) => `${(b / 1024).toFixed(0)} KB`
const target = 1 - reduction
const failures: string[] = []
const rows: string[][] = [['', 'plain', 'written', 'cut after 1st policy', 'whole run', 'before policy']]
const details: string[] = []
for (const app of [service, worker] as FieldApp[]) {
  const m = app.meter
  const after = m.plain.after > 0 ? m.written.after / m.plain.after : Number.NaN
  const whole = (m.written.before + m.written.after) / (m.plain.before + m.plain.after)
  const before = m.plain.before > 0 ? m.written.before / m.plain.before : Number.NaN
  rows.push([
    app.name,
    kb(m.plain.before + m.plain.after),
    kb(m.written.before + m.written.after),
    pct(after),
    pct(whole),
    pct(before),
  ])
  const firstPolicy = m.policyAt === undefined ? Number.NaN : (m.policyAt - app.started) / 1000
  const added = m.keptStripped > 0 ? m.keptWritten / m.keptStripped - 1 : 0
  const perLine = (b: number) => `${m.keptLines ? Math.round(b / m.keptLines) : 0} B`
  details.push(
    `${app.name}: first policy after ${firstPolicy.toFixed(1)} s; errors kept ${m.errorsKept}/${m.errorsSeen}; ` +
      `count error ${pct(m.countErrorToLastKept())} (whole run ${pct(m.countError())}); kept line ${perLine(m.keptStripped)} plain → ${perLine(m.keptWritten)} written (+${pct(added)})`,
  )
  if (!(Math.abs(after - target) * 100 <= Number(values['max-cut-error']))) {
    failures.push(
      `${app.name}: cut ${pct(after)} is more than ${values['max-cut-error']} points from ${pct(target)}`,
    )
  }
  if (!(firstPolicy <= Number(values['max-first-policy']))) {
    failures.push(`${app.name}: first policy after ${firstPolicy.toFixed(1)} s`)
  }
  if (m.errorsKept < m.errorsSeen)
    failures.push(`${app.name}: ${m.errorsSeen - m.errorsKept} error lines lost`)
  if (!(m.countErrorToLastKept() * 100 <= Number(values['max-count-error']))) {
    failures.push(`${app.name}: count error ${pct(m.countErrorToLastKept())}`)
  }
  if (!(m.countError() * 100 <= Number(values['max-count-error-whole-run']))) {
    failures.push(`${app.name}: count error over the whole run ${pct(m.countError())}`)
  }
}
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
console.log(
  `eval:field: ${durationS} s, budget reduction ${reduction} (write ≤ ${pct(target)} of plain), ${requests} requests`,
)
for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i]!)).join('  '))
for (const d of details) console.log(d)
for (const f of failures) console.log(`FAIL ${f}`)
process.exitCode = failures.length > 0 ? 1 : 0
