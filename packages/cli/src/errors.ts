// Exit codes are part of the CLI's contract with CI scripts: docs/cli.md lists them.

export const EXIT = {
  ok: 0,
  /** A check failed: budget exceeded, policy invalid on `validate`. */
  failed: 1,
  /** Bad command line. */
  usage: 2,
  /** Server unreachable or not answering HTTP. */
  unreachable: 3,
  /** Missing, unknown or insufficient key (401/403). */
  auth: 4,
  /** Unknown service, version, pin or key (404). */
  notFound: 5,
  /** The server rejected the input (400/409/413/422). */
  rejected: 6,
  /** The server failed (5xx) or answered something unreadable. */
  server: 7,
  /** A local file could not be read or parsed. */
  input: 8,
} as const

export type ExitCode = (typeof EXIT)[keyof typeof EXIT]

/** An error the CLI reports as one line on stderr, then exits with `exitCode`. */
export class CliError extends Error {
  readonly exitCode: ExitCode
  readonly code: string
  readonly field: string | undefined
  constructor(exitCode: ExitCode, message: string, options?: { code?: string; field?: string }) {
    super(message)
    this.name = 'CliError'
    this.exitCode = exitCode
    this.code = options?.code ?? 'LOGSIEVE_CLI_ERROR'
    this.field = options?.field
  }
}
