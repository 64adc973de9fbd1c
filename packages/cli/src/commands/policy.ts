// `logsieve policy get|history|diff|validate|apply|rollback|generate`: policy as code against a server.
import type { Policy } from '@logsieve/core'
import { clientFrom, int, parse, SERVER_OPTIONS, str, subcommandHelp, target } from '../args.js'
import type { Client } from '../client.js'
import { CliError, EXIT } from '../errors.js'
import { fields, type Io, printJson, table } from '../output.js'
import { diffPolicies, isEmptyDiff, renderDiff } from '../policy-diff.js'
import { loadPolicyFile } from '../policy-file.js'
import { formatBytes, formatCount, formatRate } from '../units.js'
import { help } from './analyze.js'

export const POLICY_HELP = `Usage: logsieve policy <command> --service S [--env E] [options]

Commands:
  get [--version V]              the current policy (or one version)
  history [--limit N]            versions, newest first
  diff --from A [--to B]         between two versions (B defaults to the current one)
  diff --file policy.yaml        between the current policy and a file (what apply would change)
  validate <file>                check a JSON/YAML policy file (locally; with a server, the server too)
  apply <file> [--reason R]      store the file as a new version
  rollback --to V [--reason R]   make version V current again (as a new version)
  generate [--dry-run]           run the generator now; --dry-run shows the policy without storing it

Server options: --server URL (LOGSIEVE_URL), --key K (LOGSIEVE_KEY), --json`

const OPTIONS = {
  ...SERVER_OPTIONS,
  version: { type: 'string' },
  limit: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  file: { type: 'string', short: 'f' },
  reason: { type: 'string' },
  'dry-run': { type: 'boolean' },
  'exit-code': { type: 'boolean' },
} as const

export async function policyCommand(args: string[], io: Io): Promise<number> {
  const [sub, ...rest] = args
  const { values, positionals } = parse(rest, OPTIONS, `policy ${sub ?? ''}`.trim())
  const helpCode = subcommandHelp(sub, values)
  if (helpCode !== undefined) return help(io, POLICY_HELP, helpCode)
  const json = values.json === true

  if (sub === 'validate') {
    const file = positionals[0] ?? str(values, 'file')
    if (!file) throw new CliError(EXIT.usage, 'policy validate: give a policy file')
    const policy = await loadPolicyFile(file, fallbackTarget(values, io))
    const hasServer = (str(values, 'server') ?? io.env.LOGSIEVE_URL) !== undefined
    if (hasServer) {
      const client = clientFrom(values, io)
      await client.request('PUT', policyPath(policy.service), {
        query: { environment: policy.environment, dryRun: true },
        body: policy,
      })
    }
    if (json) printJson(io, { valid: true, policy })
    else io.out(`${file}: valid (${policy.rules.length} rules for ${policy.service}/${policy.environment})\n`)
    return EXIT.ok
  }

  const client = clientFrom(values, io)
  // apply and diff --file may take the service (and environment) from the policy file itself.
  const file = sub === 'apply' || sub === 'diff' ? (positionals[0] ?? str(values, 'file')) : undefined
  const { service, env } = await targetOf(values, io, `policy ${sub}`, file)
  const query = { environment: env }

  switch (sub) {
    case 'get': {
      const version = int(values, 'version')
      const policy =
        version === undefined
          ? await current(client, service, env)
          : await getVersion(client, service, env, version)
      if (json) printJson(io, policy)
      else io.out(renderPolicy(policy))
      // The server answers defaults for a service it has no policy for: say so, a typo looks the same.
      if (policy.version === 0)
        io.err(`note: no policy stored for ${service}/${env} yet: these are the defaults\n`)
      return EXIT.ok
    }
    case 'history': {
      const res = await client.request<unknown>('GET', `${policyPath(service)}/history`, {
        query: { ...query, limit: int(values, 'limit', 20) },
      })
      const versions = listOf<HistoryRow>(res.body, 'versions', 'policies', 'history')
      if (json) printJson(io, { service, environment: env, versions })
      else io.out(`${renderHistory(versions)}\n`)
      return EXIT.ok
    }
    case 'diff': {
      let from: Policy
      let to: Policy
      if (file) {
        from = await current(client, service, env)
        to = await loadPolicyFile(file, { service, environment: env })
      } else {
        const fromVersion = int(values, 'from')
        if (fromVersion === undefined)
          throw new CliError(EXIT.usage, 'policy diff: give --from V [--to V], or --file F')
        const toVersion = int(values, 'to')
        from = await getVersion(client, service, env, fromVersion)
        to =
          toVersion === undefined
            ? await current(client, service, env)
            : await getVersion(client, service, env, toVersion)
      }
      const diff = diffPolicies(from, to)
      if (json) printJson(io, { ...diff, to: file ? 'file' : diff.to })
      else io.out(renderDiff(diff))
      // Like `git diff --exit-code`: CI can ask "did anything change?".
      return values['exit-code'] && !isEmptyDiff(diff) ? EXIT.failed : EXIT.ok
    }
    case 'apply': {
      if (!file) throw new CliError(EXIT.usage, 'policy apply: give a policy file')
      const policy = await loadPolicyFile(file, { service, environment: env })
      const reason = str(values, 'reason')
      const res = await client.request<{ policy: Policy }>('PUT', policyPath(service), {
        query,
        body: { ...policy, ...(reason !== undefined && { reason }) },
      })
      return done(
        io,
        json,
        res.body,
        `applied ${file}: ${service}/${env} is now version ${res.body.policy.version}`,
      )
    }
    case 'rollback': {
      const to = int(values, 'to') ?? int({ to: positionals[0] }, 'to')
      if (to === undefined) throw new CliError(EXIT.usage, 'policy rollback: give --to VERSION')
      const reason = str(values, 'reason')
      const res = await client.request<Policy>('POST', `${policyPath(service)}/rollback/${to}`, {
        query: { ...query, reason },
      })
      return done(
        io,
        json,
        res.body,
        `rolled back ${service}/${env} to version ${to}: now version ${res.body.version}`,
      )
    }
    case 'generate': {
      const dryRun = values['dry-run'] === true
      const res = await client.request<{ policy: Policy; stored: boolean; overBudget: boolean }>(
        'POST',
        `${policyPath(service)}/generate`,
        { query: { ...query, dryRun, reason: str(values, 'reason') } },
      )
      const { policy, stored, overBudget } = res.body
      const head = dryRun
        ? 'dry run: not stored'
        : stored
          ? `stored as version ${policy.version}`
          : `unchanged: version ${policy.version} stays current`
      if (json) printJson(io, res.body)
      else
        io.out(
          `${head}${overBudget ? ' (OVER BUDGET: the coverage floors alone exceed it)' : ''}\n${renderPolicy(policy)}`,
        )
      return EXIT.ok
    }
    default:
      throw new CliError(EXIT.usage, `policy: unknown command "${sub}" (see: logsieve policy --help)`)
  }
}

/** --service/--env (or LOGSIEVE_SERVICE/LOGSIEVE_ENV), else the `service`/`environment` a policy file names. */
export async function targetOf(
  values: Record<string, string | boolean | undefined>,
  io: Io,
  command: string,
  file: string | undefined,
): Promise<{ service: string; env: string }> {
  const given = fallbackTarget(values, io)
  if (given.service || !file) return target(values, io, command)
  const policy = await loadPolicyFile(file, given)
  return { service: policy.service, env: given.environment ?? policy.environment }
}

export const policyPath = (service: string) => `/v1/policies/${encodeURIComponent(service)}`

function fallbackTarget(values: Record<string, unknown>, io: Io): { service?: string; environment?: string } {
  const service = (values.service as string | undefined) ?? io.env.LOGSIEVE_SERVICE
  const environment = (values.env as string | undefined) ?? io.env.LOGSIEVE_ENV
  return { ...(service && { service }), ...(environment && { environment }) }
}

export async function current(client: Client, service: string, env: string): Promise<Policy> {
  return (await client.request<Policy>('GET', policyPath(service), { query: { environment: env } })).body
}

async function getVersion(client: Client, service: string, env: string, version: number): Promise<Policy> {
  const res = await client.request<Policy>('GET', `${policyPath(service)}/versions/${version}`, {
    query: { environment: env },
  })
  return res.body
}

/** An array from a response that is either the array itself or an object holding it. */
export function listOf<T>(body: unknown, ...keys: string[]): T[] {
  if (Array.isArray(body)) return body as T[]
  for (const key of keys) {
    const v = (body as Record<string, unknown> | undefined)?.[key]
    if (Array.isArray(v)) return v as T[]
  }
  return []
}

function done(io: Io, json: boolean, body: unknown, message: string): number {
  if (json) printJson(io, body)
  else io.out(`${message}\n`)
  return EXIT.ok
}

interface HistoryRow {
  version: number
  source?: string
  author?: string
  reason?: string
  createdAt?: string
  rules?: number | unknown[]
  projection?: Policy['projection']
}

function renderHistory(rows: HistoryRow[]): string {
  return table(rows, [
    { header: 'VERSION', value: (r) => String(r.version), align: 'right' },
    { header: 'SOURCE', value: (r) => r.source ?? '' },
    { header: 'CREATED', value: (r) => r.createdAt ?? '' },
    {
      header: 'RULES',
      value: (r) => String(Array.isArray(r.rules) ? r.rules.length : (r.rules ?? '')),
      align: 'right',
    },
    {
      header: 'BYTES/DAY',
      value: (r) => (r.projection ? formatBytes(r.projection.bytesPerDayAfter) : ''),
      align: 'right',
    },
    { header: 'AUTHOR', value: (r) => r.author ?? '' },
    { header: 'REASON', value: (r) => r.reason ?? '', max: 60 },
  ])
}

export function renderPolicy(p: Policy): string {
  const levels = Object.entries(p.defaults.levels)
    .map(([l, r]) => `${l}=${formatRate(r)}`)
    .join(' ')
  const proj = p.projection
  const head = fields([
    ['service', `${p.service} (${p.environment})`],
    [
      'version',
      `${p.version} (${p.source}${p.author ? `, by ${p.author}` : ''}${p.createdAt ? `, ${p.createdAt}` : ''})`,
    ],
    ['level defaults', levels || 'keep all'],
    ['always kept', p.defaults.alwaysKeep.join(', ')],
    [
      'new patterns',
      `rate ${formatRate(p.defaults.newPattern.rate)}${p.defaults.newPattern.maxPerSecond ? `, max ${p.defaults.newPattern.maxPerSecond}/s` : ''}`,
    ],
    ...(proj
      ? [
          [
            'projection',
            // The generator's "before" is plain bytes (no Logsieve fields), its "after" written bytes.
            `${formatBytes(proj.bytesPerDayBefore)}/day plain -> ${formatBytes(proj.bytesPerDayAfter)}/day written${proj.overBudget ? ' (OVER BUDGET: the floor alone exceeds the budget)' : ''}`,
          ] as const,
        ]
      : []),
    ['rules', formatCount(p.rules.length)],
  ])
  if (p.rules.length === 0) return `${head}\n`
  const rules = table(p.rules, [
    { header: 'SIGNATURE', value: (r) => r.signature },
    { header: 'LEVEL', value: (r) => r.level ?? '*' },
    { header: 'RATE', value: (r) => formatRate(r.rate), align: 'right' },
    {
      header: 'MAX/S',
      value: (r) => (r.maxPerSecond === undefined ? '' : String(r.maxPerSecond)),
      align: 'right',
    },
    { header: 'REASON', value: (r) => r.reason },
    { header: 'TEMPLATE', value: (r) => r.template ?? '', max: 80 },
  ])
  return `${head}\n\n${rules}\n`
}
