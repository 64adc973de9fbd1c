// `logsieve patterns top` and `logsieve budget check`: what the server has observed, and the CI gate.
import { type LevelName, type Policy, projectUnderPolicy } from '@logsieve/core'
import { clientFrom, int, parse, SERVER_OPTIONS, str, subcommandHelp, target } from '../args.js'
import type { Client } from '../client.js'
import { CliError, EXIT } from '../errors.js'
import { fields, type Io, printJson, table } from '../output.js'
import { loadPolicyFile } from '../policy-file.js'
import { formatBytes, formatCount, formatPercent, formatRate, parseBytesPerDay } from '../units.js'
import { help } from './analyze.js'
import { current, listOf, targetOf } from './policy.js'

const DAY = 86_400

/** One pattern as the server reports it (fields the CLI reads; others are passed through). */
export interface ServerPattern {
  signature: string
  level: LevelName
  template: string
  eventsPerSecond: number
  /** Mean written size of a line, Logsieve's fields included: what a rate spends. */
  bytesPerEvent: number
  /** Mean size of a line as the plain logger writes it: what savings are measured against. */
  plainBytesPerEvent: number
  /** Rate the current policy gives the pattern, when the server says. */
  rate?: number
  /** Bytes of the lines SDKs kept over the last 24 hours (measured, not projected). */
  keptBytesLast24h?: number
  example?: string | null
}

export const PATTERNS_HELP = `Usage: logsieve patterns top --service S [--env E] [--limit N] [--json]

The service's patterns by volume: events/s, plain bytes/day (as the logger without Logsieve writes
them), the current rate, the bytes/day written under it and what that saves against plain.`

export async function patternsCommand(args: string[], io: Io): Promise<number> {
  const [sub, ...rest] = args
  const { values } = parse(
    rest,
    { ...SERVER_OPTIONS, limit: { type: 'string' } },
    `patterns ${sub ?? ''}`.trim(),
  )
  const helpCode = subcommandHelp(sub, values)
  if (helpCode !== undefined) return help(io, PATTERNS_HELP, helpCode)
  if (sub !== 'top')
    throw new CliError(EXIT.usage, `patterns: unknown command "${sub}" (see: logsieve patterns --help)`)
  const client = clientFrom(values, io)
  const { service, env } = target(values, io, 'patterns top')
  const [{ patterns, instances }, policy] = await Promise.all([
    fetchPatterns(client, service, env),
    current(client, service, env),
  ])
  if (patterns.length === 0) await assertKnown(client, service, env)
  const rows = patterns
    .map((p) => {
      const { rate, plainBytesPerDay, projectedBytesPerDay } = projected(p, policy, instances)
      return {
        ...p,
        rate,
        plainBytesPerDay,
        projectedBytesPerDay,
        savedBytesPerDay: plainBytesPerDay - projectedBytesPerDay,
      }
    })
    .sort((a, b) => b.plainBytesPerDay - a.plainBytesPerDay)
    .slice(0, int(values, 'limit', 20))
  if (values.json) {
    printJson(io, { service, environment: env, policyVersion: policy.version, patterns: rows })
    return EXIT.ok
  }
  const total = rows.reduce((sum, r) => sum + r.plainBytesPerDay, 0)
  io.out(
    `${table(rows, [
      { header: 'EVENTS/S', value: (r) => formatCount(r.eventsPerSecond), align: 'right' },
      { header: 'PLAIN/DAY', value: (r) => formatBytes(r.plainBytesPerDay), align: 'right' },
      {
        header: 'SHARE',
        value: (r) => formatPercent(total > 0 ? r.plainBytesPerDay / total : 0),
        align: 'right',
      },
      { header: 'LEVEL', value: (r) => r.level },
      { header: 'RATE', value: (r) => formatRate(r.rate), align: 'right' },
      { header: 'WRITTEN/DAY', value: (r) => formatBytes(r.projectedBytesPerDay), align: 'right' },
      { header: 'SAVED', value: (r) => formatPercent(saving(r)), align: 'right' },
      { header: 'SIGNATURE', value: (r) => r.signature },
      { header: 'TEMPLATE', value: (r) => r.template, max: 80 },
    ])}\n`,
  )
  return EXIT.ok
}

/** Plain bytes/day (every line, as the logger without Logsieve writes it) and written bytes/day (every line kept). */
/** Plain bytes/day, and the rate and written bytes/day of a policy by the generator's model (core). */
function projected(p: ServerPattern, policy: Policy, instances: number) {
  const under = projectUnderPolicy(policy, p, instances)
  return {
    rate: under.rate,
    plainBytesPerDay: p.eventsPerSecond * p.plainBytesPerEvent * DAY,
    projectedBytesPerDay: under.writtenBytesPerSecond * DAY,
  }
}

/** The share of plain bytes a pattern's policy saves; Logsieve's own fields count against it. */
function saving(r: { plainBytesPerDay: number; savedBytesPerDay: number }): number {
  return r.plainBytesPerDay > 0 ? r.savedBytesPerDay / r.plainBytesPerDay : 0
}

export const BUDGET_HELP = `Usage: logsieve budget check --service S --max 10GB/day [--policy file | --observed] [--env E] [--json]

Exit 1 when the volume the service would keep exceeds --max: the projected volume of the current
policy (or of --policy, a proposed file) on the traffic the server has observed. With --observed, the
bytes the SDKs actually kept over the last 24 hours are checked instead.`

export async function budgetCommand(args: string[], io: Io): Promise<number> {
  const [sub, ...rest] = args
  const options = {
    ...SERVER_OPTIONS,
    max: { type: 'string' },
    policy: { type: 'string' },
    observed: { type: 'boolean' },
  } as const
  const { values } = parse(rest, options, `budget ${sub ?? ''}`.trim())
  const helpCode = subcommandHelp(sub, values)
  if (helpCode !== undefined) return help(io, BUDGET_HELP, helpCode)
  if (sub !== 'check')
    throw new CliError(EXIT.usage, `budget: unknown command "${sub}" (see: logsieve budget --help)`)
  const maxText = str(values, 'max')
  if (!maxText) throw new CliError(EXIT.usage, 'budget check: --max is required (e.g. --max 10GB/day)')
  const max = parseBytesPerDay(maxText)
  const client = clientFrom(values, io)
  const file = str(values, 'policy')
  if (file && values.observed)
    throw new CliError(EXIT.usage, 'budget check: --observed measures the running policy; drop --policy')
  const { service, env } = await targetOf(values, io, 'budget check', file)
  const [{ patterns, instances }, policy] = await Promise.all([
    fetchPatterns(client, service, env),
    file ? loadPolicyFile(file, { service, environment: env }) : current(client, service, env),
  ])
  const result = project(patterns, policy, instances)
  if (patterns.length === 0 && result.projectedBytesPerDay === undefined) {
    await assertKnown(client, service, env)
    throw new CliError(EXIT.notFound, `no traffic observed for ${service} (${env}) yet: nothing to check`, {
      code: 'LOGSIEVE_NO_DATA',
    })
  }
  const projected = result.projectedBytesPerDay ?? 0
  const keptLast24h = patterns.reduce((sum, p) => sum + (p.keptBytesLast24h ?? 0), 0)
  const checked = values.observed ? keptLast24h : projected
  const ok = checked <= max
  const summary = {
    service,
    environment: env,
    ok,
    maxBytesPerDay: max,
    policy: file ? { file } : { version: policy.version },
    observedBytesPerDay: result.observedBytesPerDay,
    projectedBytesPerDay: projected,
    keptBytesLast24h: keptLast24h,
    basis: values.observed ? 'observed' : 'projected',
    patterns: patterns.length,
    headroom: max > 0 ? 1 - checked / max : 0,
  }
  if (values.json) printJson(io, summary)
  else {
    io.out(
      `${fields([
        ['budget check', `${ok ? 'PASS' : 'FAIL'}: ${service} (${env})`],
        ['policy', file ? file : `version ${policy.version}`],
        [
          'observed',
          `${formatBytes(result.observedBytesPerDay)}/day plain, before sampling (${formatCount(patterns.length)} patterns)`,
        ],
        [
          'projected',
          `${formatBytes(projected)}/day written${values.observed ? '' : ' (checked)'}${savedNote(result.observedBytesPerDay, projected)}`,
        ],
        ['kept, last 24 h', `${formatBytes(keptLast24h)}${values.observed ? ' (checked)' : ''}`],
        ['max', `${formatBytes(max)}/day`],
        [
          ok ? 'headroom' : 'over by',
          ok
            ? formatPercent(summary.headroom)
            : `${formatBytes(checked - max)}/day (${formatPercent(checked / max - 1)})`,
        ],
      ])}\n`,
    )
  }
  return ok ? EXIT.ok : EXIT.failed
}

/** What a projection saves against plain bytes, as a note; nothing when it saves nothing. */
function savedNote(plain: number, written: number): string {
  return plain > written && plain > 0 ? `, ${formatPercent(1 - written / plain)} less than plain` : ''
}

/**
 * Plain bytes/day before sampling, and the written bytes/day a policy keeps, on observed traffic; falls
 * back to the policy's own projection. Budgets are in written bytes; savings are against plain ones.
 */
export function project(patterns: ServerPattern[], policy: Policy, instances = 1) {
  if (patterns.length === 0) {
    return {
      observedBytesPerDay: policy.projection?.bytesPerDayBefore ?? 0,
      projectedBytesPerDay: policy.projection?.bytesPerDayAfter,
    }
  }
  let observed = 0
  let written = 0
  for (const p of patterns) {
    const { plainBytesPerDay, projectedBytesPerDay } = projected(p, policy, instances)
    observed += plainBytesPerDay
    written += projectedBytesPerDay
  }
  return { observedBytesPerDay: observed, projectedBytesPerDay: written }
}

/** Unknown service: the server answers an empty pattern list, so ask for the list of known services. */
async function assertKnown(client: Client, service: string, env: string): Promise<void> {
  const res = await client.request<unknown>('GET', '/v1/services')
  const known = listOf<{ service: string; environment: string }>(res.body, 'services')
  if (known.some((s) => s.service === service && s.environment === env)) return
  const names = [...new Set(known.map((s) => `${s.service}/${s.environment}`))].slice(0, 10).join(', ')
  throw new CliError(
    EXIT.notFound,
    `unknown service ${service}/${env} (the server knows: ${names || 'none'})`,
    {
      code: 'LOGSIEVE_UNKNOWN_SERVICE',
    },
  )
}

/** The service's patterns, and the instances reporting (the floor's lines are per instance). */
export async function fetchPatterns(
  client: Client,
  service: string,
  env: string,
): Promise<{ patterns: ServerPattern[]; instances: number }> {
  const res = await client.request<unknown>('GET', '/v1/patterns', {
    query: { service, environment: env, limit: 20_000 },
  })
  const instances = (res.body as { instances?: unknown } | null)?.instances
  return {
    patterns: listOf<Record<string, unknown>>(res.body, 'patterns').map(toPattern),
    instances: typeof instances === 'number' && instances >= 1 ? instances : 1,
  }
}

function toPattern(raw: Record<string, unknown>): ServerPattern {
  const n = (...keys: string[]) => {
    for (const k of keys) if (typeof raw[k] === 'number') return raw[k] as number
    return 0
  }
  return {
    ...raw,
    signature: String(raw.signature),
    level: raw.level as LevelName,
    template: String(raw.template ?? ''),
    eventsPerSecond: n('eventsPerSecond', 'emaRate'),
    bytesPerEvent: n('bytesPerEvent'),
    // A server from before plain bytes were counted: its written size is the plain one.
    plainBytesPerEvent: n(
      typeof raw.plainBytesPerEvent === 'number' ? 'plainBytesPerEvent' : 'bytesPerEvent',
    ),
    keptBytesLast24h: keptBytes(raw.last24h),
  } as ServerPattern
}

/** Kept bytes from a `{ seen, kept, bytes }` window: bytes cover every seen line, so scale by kept/seen. */
function keptBytes(window: unknown): number {
  const w = window as { seen?: unknown; kept?: unknown; bytes?: unknown } | undefined
  if (typeof w?.seen !== 'number' || typeof w.kept !== 'number' || typeof w.bytes !== 'number' || w.seen <= 0)
    return 0
  return (w.bytes * w.kept) / w.seen
}
