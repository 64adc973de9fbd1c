// Argument parsing on node:util parseArgs: strict (unknown flags are errors), no dependency.
import { type ParseArgsConfig, parseArgs } from 'node:util'
import { type Client, createClient } from './client.js'
import { CliError, EXIT } from './errors.js'
import type { Io } from './output.js'

type Options = NonNullable<ParseArgsConfig['options']>

/** Flags every server command takes. */
export const SERVER_OPTIONS = {
  server: { type: 'string' },
  key: { type: 'string' },
  json: { type: 'boolean' },
  service: { type: 'string', short: 's' },
  env: { type: 'string', short: 'e' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options

export interface Parsed {
  values: Record<string, string | boolean | undefined>
  positionals: string[]
}

export function parse(args: string[], options: Options, command: string): Parsed {
  try {
    const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true })
    return { values: values as Parsed['values'], positionals }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    throw new CliError(EXIT.usage, `${command}: ${message} (see: logsieve ${command} --help)`)
  }
}

export function str(values: Parsed['values'], name: string): string | undefined {
  const v = values[name]
  return typeof v === 'string' ? v : undefined
}

export function required(values: Parsed['values'], name: string, command: string): string {
  const v = str(values, name)
  if (v === undefined || v === '') throw new CliError(EXIT.usage, `${command}: --${name} is required`)
  return v
}

export function int(values: Parsed['values'], name: string, fallback?: number): number | undefined {
  const v = str(values, name)
  if (v === undefined) return fallback
  const n = Number(v)
  if (!Number.isInteger(n) || n < 0) throw new CliError(EXIT.usage, `--${name}: "${v}" is not a whole number`)
  return n
}

export function num(values: Parsed['values'], name: string): number | undefined {
  const v = str(values, name)
  if (v === undefined) return undefined
  const n = Number(v)
  if (!Number.isFinite(n) || n < 0) throw new CliError(EXIT.usage, `--${name}: "${v}" is not a number`)
  return n
}

/** The client for --server/--key, falling back to LOGSIEVE_URL / LOGSIEVE_KEY. */
export function clientFrom(values: Parsed['values'], io: Io): Client {
  return createClient({
    url: str(values, 'server') ?? io.env.LOGSIEVE_URL,
    key: str(values, 'key') ?? io.env.LOGSIEVE_KEY,
  })
}

/** Service and environment; the service may also come from LOGSIEVE_SERVICE. */
export function target(values: Parsed['values'], io: Io, command: string): { service: string; env: string } {
  const service = str(values, 'service') ?? io.env.LOGSIEVE_SERVICE
  if (!service) throw new CliError(EXIT.usage, `${command}: --service is required (or set LOGSIEVE_SERVICE)`)
  return { service, env: str(values, 'env') ?? io.env.LOGSIEVE_ENV ?? 'default' }
}

/**
 * Help for a command with subcommands: `logsieve policy --help`, `logsieve policy help` or
 * `logsieve policy get --help` print it (exit 0); a missing subcommand prints it as a usage error (exit 2).
 */
export function subcommandHelp(sub: string | undefined, values: Parsed['values']): number | undefined {
  if (sub === undefined) return EXIT.usage
  if (sub === 'help' || sub === '--help' || sub === '-h' || values.help) return EXIT.ok
  return undefined
}
