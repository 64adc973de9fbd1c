// The command dispatcher: argv in, exit code out. Errors become one `logsieve: …` line on stderr (or a
// JSON error body with --json) and the exit code documented in docs/cli.md.

import { keysCommand, pinsCommand, settingsCommand } from './commands/admin.js'
import { analyzeCommand, signaturesCommand } from './commands/analyze.js'
import { budgetCommand, patternsCommand } from './commands/observe.js'
import { policyCommand } from './commands/policy.js'
import { CliError, EXIT } from './errors.js'
import type { Io } from './output.js'

export const VERSION = '0.1.0'

export const HELP = `logsieve ${VERSION}: budgeted log sampling, from a terminal or CI

Usage: logsieve <command> [options]

Offline (no server):
  analyze <file|->       top patterns of a log file and what a budget would keep
  signatures [file|-]    signature<TAB>template for every line

Against a policy server (--server URL --key K, or LOGSIEVE_URL / LOGSIEVE_KEY):
  policy    get | history | diff | validate | apply | rollback | generate
  pins      list | add | remove
  settings  get | set
  patterns  top
  budget    check --service S --max 10GB/day
  keys      create | list | revoke

Run logsieve <command> --help for its options. Exit codes: 0 ok, 1 check failed, 2 usage,
3 server unreachable, 4 key refused, 5 not found, 6 rejected input, 7 server error, 8 unreadable input.`

const COMMANDS: Record<string, (args: string[], io: Io) => Promise<number>> = {
  analyze: analyzeCommand,
  signatures: signaturesCommand,
  policy: policyCommand,
  pins: pinsCommand,
  settings: settingsCommand,
  patterns: patternsCommand,
  budget: budgetCommand,
  keys: keysCommand,
}

/** Run one CLI invocation. Never throws: every failure maps to an exit code. */
export async function run(argv: string[], io: Io): Promise<number> {
  const [name, ...args] = argv
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    io.out(`${HELP}\n`)
    return name === undefined ? EXIT.usage : EXIT.ok
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    io.out(`${VERSION}\n`)
    return EXIT.ok
  }
  const command = COMMANDS[name]
  try {
    if (!command) throw new CliError(EXIT.usage, `unknown command "${name}" (see: logsieve --help)`)
    return await command(args, io)
  } catch (error) {
    const cliError =
      error instanceof CliError
        ? error
        : new CliError(
            EXIT.server,
            `unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
          )
    if (args.includes('--json')) {
      const body = {
        code: cliError.code,
        message: cliError.message,
        ...(cliError.field !== undefined && { field: cliError.field }),
      }
      io.out(`${JSON.stringify({ error: { ...body, exitCode: cliError.exitCode } }, null, 2)}\n`)
    }
    io.err(`logsieve: ${cliError.message}\n`)
    return cliError.exitCode
  }
}
