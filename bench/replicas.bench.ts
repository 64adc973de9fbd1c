// Scaling out (issue 17): stats ingest (batches of 500 patterns) and the GET 304 path on one SQLite
// server, on PostgreSQL with one replica and with three, in one run; p50/p99 at 200 concurrent requests.
// Each server is a real `logsieve-server` process; on PostgreSQL a 202 means the batch is committed.
// Target: three PostgreSQL replicas ingest ≥ 2× what one SQLite server does. On a machine with fewer cores
// than processes it also prints, labelled as such, what a core per process would give from the CPU per
// batch; and last it measures SQLite and three replicas again with each server capped at the same slice of
// a core (cpu-cap.ts), as on machines of their own.
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type CpuCap, cpuCap } from './cpu-cap.js'

const CONNECTIONS = 200
const SECONDS = 5
const ADMIN = 'bench-admin-key-0123456789'
const PG_URL = process.env.LOGSIEVE_BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const BIN = fileURLToPath(new URL('../packages/server/src/bin.ts', import.meta.url))

interface AutocannonResult {
  requests: { average: number }
  latency: { p50: number; p99: number }
  errors: number
  timeouts: number
  statusCodeStats: Record<string, { count: number }>
}
type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>
interface PgClient {
  connect(): Promise<void>
  query(sql: string, values?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>
  end(): Promise<void>
}
type PgModule = { Client: new (o: { connectionString: string }) => PgClient }

const req = createRequire(new URL('../packages/server/package.json', import.meta.url))

function startReplica(db: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', BIN, '--port', '0', '--db', db, '--log-level', 'error'],
    {
      env: {
        ...process.env,
        LOGSIEVE_ADMIN_KEY: ADMIN,
        LOGSIEVE_RATE_LIMIT: '0',
        LOGSIEVE_GENERATION_INTERVAL_MS: '0',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  return new Promise((ok, fail) => {
    let out = ''
    child.stdout!.on('data', (d: Buffer) => {
      out += d
      const m = /listening on (http:\/\/\S+)/.exec(out)
      if (m) ok({ child, url: m[1]! })
    })
    child.once('exit', (code) => fail(new Error(`bench server exited with ${code}: ${out}`)))
  })
}

function statsBody(): string {
  const now = Date.now()
  return JSON.stringify({
    sdk: { name: '@logsieve/node', version: '0.1.0' },
    service: 'bench',
    environment: 'prod',
    instance: 'bench-1',
    window: { start: new Date(now - 30_000).toISOString(), end: new Date(now).toISOString() },
    patterns: Array.from({ length: 500 }, (_, i) => ({
      signature: i.toString(16).padStart(16, '0'),
      level: i % 10 === 0 ? 'debug' : 'info',
      template: `request ${i} handled for user <*> in <*> ms from <*>`,
      seen: 1000 + i,
      kept: 100 + i,
      bytes: (1000 + i) * 180,
      firstSeen: new Date(now - 3_600_000).toISOString(),
    })),
  })
}

const isPostgres = (db: string) => db.startsWith('postgres')
/** The database name of a PostgreSQL URL (the SQLite file name otherwise: no backend has it). */
const dbName = (db: string) => (isPostgres(db) ? new URL(db).pathname.slice(1) : db)

const fmt = (n: number) => Math.round(n).toLocaleString('en-US')

/**
 * What the database's busy backends wait on while `fn` runs, sampled from pg_stat_activity every 50 ms:
 * average backends per wait event ("CPU" when active and waiting on nothing). A row-lock queue shows as
 * `Lock:transactionid` or `Lock:tuple`.
 */
async function sampleWaits<T>(
  admin: PgClient,
  db: string,
  fn: () => Promise<T>,
): Promise<{ out: T; waits: string }> {
  const counts = new Map<string, number>()
  let samples = 0
  let running = true
  const loop = (async () => {
    while (running) {
      const r = await admin.query(
        `SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU') AS w, count(*)::int AS n
         FROM pg_stat_activity WHERE datname = $1 AND state = 'active' AND pid <> pg_backend_pid() GROUP BY 1`,
        [db],
      )
      samples++
      for (const row of r.rows)
        counts.set(row.w as string, (counts.get(row.w as string) ?? 0) + (row.n as number))
      await new Promise((ok) => setTimeout(ok, 50))
    }
  })()
  try {
    return { out: await fn(), waits: formatWaits(counts, samples) }
  } finally {
    running = false
    await loop
  }
}

/** CPU ticks (user + system, 1/100 s on Linux) per process so far, from /proc; empty where there is none. */
function cpuTicks(pids: number[]): Map<number, number> {
  const out = new Map<number, number>()
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      out.set(pid, Number(f[11]) + Number(f[12]))
    } catch {
      // Not Linux, or the process is gone.
    }
  }
  return out
}

/** CPU seconds each group of `pids()` used while `fn` ran (processes that started meanwhile count whole). */
async function cpuDuring<T>(
  pids: () => Promise<number[][]>,
  fn: () => Promise<T>,
): Promise<{ out: T; cpu: number[] }> {
  const before = cpuTicks((await pids()).flat())
  const out = await fn()
  const cpu = (await pids()).map((group) => {
    let ticks = 0
    for (const [pid, t] of cpuTicks(group)) ticks += t - (before.get(pid) ?? 0)
    return ticks / 100
  })
  return { out, cpu }
}

const formatWaits = (counts: Map<string, number>, samples: number): string =>
  [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([w, n]) => `${w} ${(n / Math.max(1, samples)).toFixed(2)}`)
    .join(', ') || 'none'

interface Row {
  setup: string
  stats: AutocannonResult
  notModified: AutocannonResult
  /** Batches per CPU-second of the servers and the database backends during the stats run. */
  perCpuSecond: number
  /** Batches in the stats run, and the CPU seconds the servers and the database backends used in it. */
  batches: number
  serverCpu: number
  backendCpu: number
}

/**
 * What three replicas would ingest with a core each (and one for PostgreSQL), from the CPU per batch this
 * run measured: on two shared cores the measured ratio says how the machine divides its CPU, not what the
 * replicas can do. Derived twice: from the three-replica run (its replicas fought over the cores, which
 * costs CPU of its own) and from the one-replica run.
 */
function projection(sqlite: Row, one: Row, three: Row): string[] {
  const perServerCpu = (r: Row) => r.batches / Math.max(0.01, r.serverCpu)
  const sqlitePerCore = perServerCpu(sqlite)
  const databaseCore = three.batches / Math.max(0.01, three.backendCpu)
  const line = (from: Row, label: string) => {
    const projected = Math.min(3 * perServerCpu(from), databaseCore)
    return `  from the ${label} run: min(3 × ${fmt(from.batches)} batches / ${from.serverCpu.toFixed(1)} replica CPU-s, PostgreSQL's core) = ${fmt(projected)} batches/s = ${(projected / sqlitePerCore).toFixed(2)}× one SQLite server (target ≥ 2×)`
  }
  return [
    'PROJECTION (derived, not measured): three replicas with a core each, PostgreSQL with one',
    `  one SQLite server on its core: ${fmt(sqlite.batches)} batches / ${sqlite.serverCpu.toFixed(1)} server CPU-s = ${fmt(sqlitePerCore)} batches/s`,
    `  PostgreSQL's core: ${fmt(three.batches)} batches / ${three.backendCpu.toFixed(1)} backend CPU-s (three-replica run) = ${fmt(databaseCore)} batches/s`,
    line(three, 'three-replica'),
    line(one, 'one-replica'),
  ]
}

export default async function (): Promise<void> {
  const autocannon = req('autocannon') as Autocannon
  const pg = req('pg') as PgModule
  const admin = new pg.Client({ connectionString: PG_URL })
  try {
    await admin.connect()
  } catch (err) {
    console.log(`SKIPPED: PostgreSQL not reachable at ${PG_URL} (${(err as Error).message})`)
    return
  }
  const dir = mkdtempSync(join(tmpdir(), 'logsieve-bench-'))
  const databases: string[] = []
  const rows: Row[] = []
  const measure = async (setup: string, db: string, replicas: number, cap?: number) => {
    const first = await startReplica(db)
    const procs = [
      first,
      ...(await Promise.all(Array.from({ length: replicas - 1 }, () => startReplica(db)))),
    ]
    const caps: CpuCap[] = []
    try {
      // Each server under its own quota once it listens (its start-up, compiling TypeScript, is not measured).
      for (const [i, p] of procs.entries()) {
        if (cap === undefined) break
        const c = cpuCap(`logsieve-bench-${process.pid}-${i}`, cap)
        if (typeof c === 'string') throw new Error(c)
        caps.push(c)
        c.add(p.child.pid!)
      }
      const created = await fetch(`${first.url}/v1/keys`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ scope: 'ingest', name: 'bench', services: ['bench'] }),
      })
      const { key } = (await created.json()) as { key: string }
      const auth = { authorization: `Bearer ${key}` }
      const policy = (u: string) => `${u}/v1/policies/bench?environment=prod`
      const etag = (await fetch(policy(first.url), { headers: auth })).headers.get('etag')!
      // autocannon spreads the connections over the URLs, as a load balancer would.
      const urls = procs.map((p) => p.url)
      const post = {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: statsBody(),
      }
      await autocannon({ url: urls.map((u) => `${u}/v1/stats`), connections: 30, duration: 1, ...post }) // warm-up
      const run = async (name: string, opts: Record<string, unknown>) => {
        const r = await autocannon({ connections: CONNECTIONS, duration: SECONDS, ...opts })
        const codes = Object.entries(r.statusCodeStats)
          .map(([s, v]) => `${s}×${v.count}`)
          .join(' ')
        const bad = r.errors + r.timeouts
        console.log(
          `${`${setup}: ${name}`.padEnd(44)} ${fmt(r.requests.average).padStart(7)} req/s   p50 ${r.latency.p50} ms   p99 ${r.latency.p99} ms   [${codes}${bad ? ` errors ${bad}` : ''}]`,
        )
        return r
      }
      const backends = async () =>
        (await admin.query('SELECT pid FROM pg_stat_activity WHERE datname = $1', [dbName(db)])).rows.map(
          (r) => r.pid as number,
        )
      const servers = procs.map((p) => p.child.pid!)
      const sampled = await sampleWaits(admin, dbName(db), () =>
        cpuDuring(
          async () => [servers, await backends()],
          () => run('POST /v1/stats', { url: urls.map((u) => `${u}/v1/stats`), ...post }),
        ),
      )
      const stats = sampled.out.out
      const [serverCpu, backendCpu] = sampled.out.cpu as [number, number]
      const perCpuSecond = (stats.requests.average * SECONDS) / Math.max(0.01, serverCpu + backendCpu)
      console.log(
        `  CPU during the run: servers ${serverCpu.toFixed(1)} s, database backends ${backendCpu.toFixed(1)} s (${fmt(perCpuSecond)} batches per CPU-second)`,
      )
      if (isPostgres(db)) console.log(`  database backends waiting, on average: ${sampled.waits}`)
      const notModified = await run('GET /v1/policies 304', {
        url: urls.map(policy),
        headers: { ...auth, 'if-none-match': etag },
      })
      rows.push({
        setup,
        stats,
        notModified,
        perCpuSecond,
        batches: stats.requests.average * SECONDS,
        serverCpu,
        backendCpu,
      })
    } finally {
      for (const p of procs) p.child.kill('SIGTERM')
      await Promise.all(
        procs.map(
          (p) => new Promise((ok) => (p.child.exitCode !== null ? ok(null) : p.child.once('exit', ok))),
        ),
      )
      for (const c of caps) c.remove()
    }
  }
  const pgDatabase = async () => {
    const name = `logsieve_bench_${randomBytes(4).toString('hex')}`
    await admin.query(`CREATE DATABASE ${name}`)
    databases.push(name)
    const u = new URL(PG_URL)
    u.pathname = `/${name}`
    return u.toString()
  }
  try {
    console.log(`autocannon, ${CONNECTIONS} connections, ${SECONDS} s per run; each server its own process\n`)
    await measure('SQLite, 1 server', join(dir, 'bench.db'), 1)
    await measure('PostgreSQL, 1 replica', await pgDatabase(), 1)
    await measure('PostgreSQL, 3 replicas', await pgDatabase(), 3)
    console.log(
      '\n| setup | stats batches/s | batches per CPU-second | stats p50 / p99 ms | 304 req/s | 304 p50 / p99 ms |',
    )
    console.log('| --- | ---: | ---: | ---: | ---: | ---: |')
    for (const r of rows) {
      console.log(
        `| ${r.setup} | ${fmt(r.stats.requests.average)} | ${fmt(r.perCpuSecond)} | ${r.stats.latency.p50} / ${r.stats.latency.p99} | ${fmt(r.notModified.requests.average)} | ${r.notModified.latency.p50} / ${r.notModified.latency.p99} |`,
      )
    }
    const ratio = rows[2]!.stats.requests.average / rows[0]!.stats.requests.average
    console.log(
      `\nthree PostgreSQL replicas vs one SQLite server, stats ingest: ${ratio.toFixed(2)}× (target ≥ 2×) ${ratio >= 2 ? 'ok' : 'MISSED'}`,
    )
    console.log(`\n${projection(rows[0]!, rows[1]!, rows[2]!).join('\n')}`)
    await cappedRun(measure, pgDatabase, join(dir, 'capped.db'), rows)
  } finally {
    for (const name of databases) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    await admin.end()
    rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * Cores each server may use in the capped run: three replicas take 1.35 of this machine's 2, leaving the
 * rest to PostgreSQL (0.1–0.2 measured) and the load generator, so no server waits for a core it is owed.
 */
const CAP = Number(process.env.LOGSIEVE_BENCH_CAP ?? 0.45)

/**
 * Each server capped at CAP of a core (a cgroup quota), one SQLite server and then three PostgreSQL
 * replicas: the replicas no longer compete for this machine's two cores, as on machines of their own.
 */
async function cappedRun(
  measure: (setup: string, db: string, replicas: number, cap?: number) => Promise<void>,
  pgDatabase: () => Promise<string>,
  sqliteFile: string,
  rows: Row[],
): Promise<void> {
  const probe = cpuCap(`logsieve-bench-${process.pid}-probe`, CAP)
  if (typeof probe === 'string') {
    console.log(`\nSKIPPED the capped run: ${probe}`)
    return
  }
  probe.remove()
  console.log(`\nEach server capped at ${CAP} of a core (cgroup CPU quota), as on a machine of its own:`)
  const from = rows.length
  await measure(`SQLite, 1 server, ${CAP} core`, sqliteFile, 1, CAP)
  await measure(`PostgreSQL, 3 replicas, ${CAP} core each`, await pgDatabase(), 3, CAP)
  const [sqlite, three] = [rows[from]!, rows[from + 1]!]
  // A server that got less than its quota was starved by the machine, not capped: say so.
  for (const [r, n] of [
    [sqlite, 1],
    [three, 3],
  ] as const)
    console.log(
      `  ${r.setup}: used ${r.serverCpu.toFixed(1)} of ${(n * CAP * SECONDS).toFixed(1)} CPU-s of quota`,
    )
  const ratio = three.stats.requests.average / sqlite.stats.requests.average
  console.log(
    `three PostgreSQL replicas vs one SQLite server, ${CAP} core each: ${ratio.toFixed(2)}× (target ≥ 2×) ${ratio >= 2 ? 'ok' : 'MISSED'}`,
  )
}
