// `logsieve pins`, `logsieve settings`, `logsieve keys`: the admin API, one request per command.
import { type Pin, parsePin, parseSettings, type Settings } from '@logsieve/core'
import { clientFrom, num, parse, SERVER_OPTIONS, str, subcommandHelp, target } from '../args.js'
import { CliError, EXIT } from '../errors.js'
import { fields, type Io, printJson, table } from '../output.js'
import { formatBytes, formatRate, parseBudget, parseDuration } from '../units.js'
import { help } from './analyze.js'
import { listOf } from './policy.js'

const servicePath = (service: string) => `/v1/services/${encodeURIComponent(service)}`

export const PINS_HELP = `Usage: logsieve pins <command> --service S [options]

Commands:
  list
  add --signature SIG --rate R --reason TEXT [--level L] [--expires 2h|ISO-8601]
  remove <id> | --signature SIG [--level L]

A pin overrides the generator: --rate 1 keeps a pattern whole, --rate 0 drops known noise.`

interface PinRow extends Pin {
  id: number | string
  author?: string
  createdAt?: string
}

export async function pinsCommand(args: string[], io: Io): Promise<number> {
  const [sub, ...rest] = args
  const options = {
    ...SERVER_OPTIONS,
    signature: { type: 'string' },
    rate: { type: 'string' },
    reason: { type: 'string' },
    level: { type: 'string' },
    expires: { type: 'string' },
  } as const
  const { values, positionals } = parse(rest, options, `pins ${sub ?? ''}`.trim())
  const helpCode = subcommandHelp(sub, values)
  if (helpCode !== undefined) return help(io, PINS_HELP, helpCode)
  const client = clientFrom(values, io)
  const { service } = target(values, io, `pins ${sub}`)
  const path = `${servicePath(service)}/pins`
  const list = async () => listOf<PinRow>((await client.request('GET', path)).body, 'pins')

  if (sub === 'list') {
    const pins = await list()
    if (values.json) printJson(io, { service, pins })
    else io.out(`${pins.length === 0 ? `no pins for ${service}` : renderPins(pins)}\n`)
    return EXIT.ok
  }
  if (sub === 'add') {
    const expires = str(values, 'expires')
    const input = {
      signature: str(values, 'signature'),
      rate: num(values, 'rate'),
      reason: str(values, 'reason'),
      ...(str(values, 'level') !== undefined && { level: str(values, 'level') }),
      ...(expires !== undefined && { expiresAt: toExpiry(expires) }),
    }
    const pin = parsePin(input)
    if (!pin.ok)
      throw new CliError(
        EXIT.usage,
        `pins add: --${flagOf(pin.error.field)} ${pin.error.message.replace(/^.*?: \S+ /, '')}`,
      )
    const res = await client.request<PinRow>('POST', path, { body: pin.value })
    if (values.json) printJson(io, res.body)
    else io.out(`pinned ${pin.value.signature} at rate ${formatRate(pin.value.rate)} (id ${res.body.id})\n`)
    return EXIT.ok
  }
  if (sub === 'remove') {
    let ids = positionals.slice(0, 1)
    const signature = str(values, 'signature')
    if (ids.length === 0 && signature) {
      const level = str(values, 'level')
      ids = (await list())
        .filter((p) => p.signature === signature && (level === undefined || p.level === level))
        .map((p) => String(p.id))
      if (ids.length === 0) throw new CliError(EXIT.notFound, `no pin for ${signature} on ${service}`)
    }
    if (ids.length === 0) throw new CliError(EXIT.usage, 'pins remove: give a pin id or --signature')
    for (const id of ids) await client.request('DELETE', `${path}/${encodeURIComponent(id)}`)
    if (values.json) printJson(io, { removed: ids })
    else io.out(`removed ${ids.length} pin${ids.length === 1 ? '' : 's'} (${ids.join(', ')})\n`)
    return EXIT.ok
  }
  throw new CliError(EXIT.usage, `pins: unknown command "${sub}" (see: logsieve pins --help)`)
}

function renderPins(pins: PinRow[]): string {
  return table(pins, [
    { header: 'ID', value: (p) => String(p.id), align: 'right' },
    { header: 'SIGNATURE', value: (p) => p.signature },
    { header: 'LEVEL', value: (p) => p.level ?? '*' },
    { header: 'RATE', value: (p) => formatRate(p.rate), align: 'right' },
    { header: 'EXPIRES', value: (p) => p.expiresAt ?? 'never' },
    { header: 'REASON', value: (p) => p.reason, max: 60 },
  ])
}

/** `2h` → now + 2 hours; anything else is passed through as an ISO-8601 time. */
function toExpiry(text: string): string {
  if (/^\d/.test(text) && !/^\d{4}-/.test(text))
    return new Date(Date.now() + parseDuration(text, '--expires') * 1000).toISOString()
  return text
}

function flagOf(field: string | undefined): string {
  return field === 'expiresAt' ? 'expires' : (field ?? 'pin')
}

export const SETTINGS_HELP = `Usage: logsieve settings <get|set> --service S [options]

set options (unset ones keep their current value):
  --budget <b>         5GB/day, 200/s (events), or 90% (reduction); "none" removes the budget
  --floor <n>          lines per minute every pattern keeps
  --cost-per-gb <$>    ingest price for cost projections
  --boost <d>          how long new/anomalous patterns are kept whole, e.g. 15m
  --refresh <d>        how often SDKs poll for a new policy, e.g. 30s`

export async function settingsCommand(args: string[], io: Io): Promise<number> {
  const [sub, ...rest] = args
  const options = {
    ...SERVER_OPTIONS,
    budget: { type: 'string' },
    floor: { type: 'string' },
    'cost-per-gb': { type: 'string' },
    boost: { type: 'string' },
    refresh: { type: 'string' },
  } as const
  const { values } = parse(rest, options, `settings ${sub ?? ''}`.trim())
  const helpCode = subcommandHelp(sub, values)
  if (helpCode !== undefined) return help(io, SETTINGS_HELP, helpCode)
  const client = clientFrom(values, io)
  const { service } = target(values, io, `settings ${sub}`)
  const path = `${servicePath(service)}/settings`
  const currentSettings = async () => {
    const body = (await client.request<Record<string, unknown>>('GET', path)).body
    return (body.settings ?? body) as Settings
  }
  if (sub === 'get') {
    const settings = await currentSettings()
    if (values.json) printJson(io, settings)
    else io.out(`${renderSettings(settings)}\n`)
    return EXIT.ok
  }
  if (sub !== 'set')
    throw new CliError(EXIT.usage, `settings: unknown command "${sub}" (see: logsieve settings --help)`)
  const next: Record<string, unknown> = { ...(await currentSettings()) }
  const budget = str(values, 'budget')
  if (budget !== undefined) next.budget = budget === 'none' ? null : parseBudget(budget)
  if (num(values, 'floor') !== undefined) next.floorPerMinute = num(values, 'floor')
  if (num(values, 'cost-per-gb') !== undefined) next.costPerGB = num(values, 'cost-per-gb')
  const boost = str(values, 'boost')
  if (boost !== undefined) next.boostSeconds = Math.round(parseDuration(boost, '--boost'))
  const refresh = str(values, 'refresh')
  if (refresh !== undefined) next.refreshSeconds = Math.round(parseDuration(refresh, '--refresh'))
  const checked = parseSettings(next)
  if (!checked.ok) throw new CliError(EXIT.usage, `settings set: ${checked.error.message}`)
  const res = await client.request<Record<string, unknown>>('PUT', path, { body: checked.value })
  const saved = (res.body?.settings ?? res.body ?? checked.value) as Settings
  if (values.json) printJson(io, saved)
  else io.out(`saved settings for ${service}\n${renderSettings(saved)}\n`)
  return EXIT.ok
}

function renderSettings(s: Settings): string {
  const b = s.budget
  const budget = !b
    ? 'none'
    : 'bytesPerDay' in b
      ? `${formatBytes(b.bytesPerDay)}/day`
      : 'eventsPerSecond' in b
        ? `${b.eventsPerSecond} events/s`
        : `reduce ${Math.round(b.reduction * 100)}%`
  return fields([
    ['budget', budget],
    ['floor', `${s.floorPerMinute} lines/min per pattern`],
    ['always kept', s.alwaysKeep.join(', ')],
    [
      'level weights',
      Object.entries(s.levelWeights)
        .map(([l, w]) => `${l}=${w}`)
        .join(' ') || 'none',
    ],
    ['cost', `$${s.costPerGB}/GB`],
    ['boost', `${s.boostSeconds}s at max ${s.boostMaxPerSecond}/s`],
    ['refresh', `${s.refreshSeconds}s`],
  ])
}

export const KEYS_HELP = `Usage: logsieve keys <command> [options]

Commands:
  create --scope ingest|admin [--name N] [--services a,b]   prints the key once: store it now
  list
  revoke <id>`

interface KeyRow {
  id: string
  name: string
  scope: string
  services: string[] | null
  createdAt: string
  revokedAt: string | null
  key?: string
}

export async function keysCommand(args: string[], io: Io): Promise<number> {
  const [sub, ...rest] = args
  const options = {
    ...SERVER_OPTIONS,
    scope: { type: 'string' },
    name: { type: 'string' },
    services: { type: 'string' },
  } as const
  const { values, positionals } = parse(rest, options, `keys ${sub ?? ''}`.trim())
  const helpCode = subcommandHelp(sub, values)
  if (helpCode !== undefined) return help(io, KEYS_HELP, helpCode)
  const client = clientFrom(values, io)
  if (sub === 'list') {
    const keys = listOf<KeyRow>((await client.request('GET', '/v1/keys')).body, 'keys')
    if (values.json) printJson(io, { keys })
    else
      io.out(
        `${table(keys, [
          { header: 'ID', value: (k) => k.id },
          { header: 'SCOPE', value: (k) => k.scope },
          { header: 'NAME', value: (k) => k.name, max: 40 },
          { header: 'SERVICES', value: (k) => k.services?.join(',') ?? 'all' },
          { header: 'CREATED', value: (k) => k.createdAt },
          { header: 'REVOKED', value: (k) => k.revokedAt ?? '' },
        ])}\n`,
      )
    return EXIT.ok
  }
  if (sub === 'create') {
    const scope = str(values, 'scope') ?? 'ingest'
    if (scope !== 'ingest' && scope !== 'admin')
      throw new CliError(EXIT.usage, '--scope: must be ingest or admin')
    const services = str(values, 'services')
    const res = await client.request<KeyRow>('POST', '/v1/keys', {
      body: {
        scope,
        ...(str(values, 'name') !== undefined && { name: str(values, 'name') }),
        ...(services !== undefined && {
          services: services
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
        }),
      },
    })
    if (values.json) printJson(io, res.body)
    else io.out(`${res.body.key}\n`)
    if (!values.json) io.err(`created ${scope} key ${res.body.id}: the key above is shown only once\n`)
    return EXIT.ok
  }
  if (sub === 'revoke') {
    const id = positionals[0]
    if (!id) throw new CliError(EXIT.usage, 'keys revoke: give the key id (see: logsieve keys list)')
    await client.request('DELETE', `/v1/keys/${encodeURIComponent(id)}`)
    if (values.json) printJson(io, { id, revoked: true })
    else io.out(`revoked ${id}\n`)
    return EXIT.ok
  }
  throw new CliError(EXIT.usage, `keys: unknown command "${sub}" (see: logsieve keys --help)`)
}
