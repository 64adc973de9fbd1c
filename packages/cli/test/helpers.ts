// Spawns the real `logsieve` bin (through its shim) and collects its output and exit code.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type RunningServer, startServer } from '@logsieve/server'
import { inject } from 'vitest'

/** The bin shim a user runs (TypeScript source through tsx in the workspace). */
export const BIN = fileURLToPath(new URL('../bin/logsieve.js', import.meta.url))

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

export function runCli(
  args: string[],
  options?: { env?: Record<string, string | undefined>; input?: string | Buffer; cwd?: string; bin?: string },
): Promise<CliResult> {
  // By default the bundle built in global-setup.ts: same code, much faster start-up than the tsx shim.
  const bin = options?.bin ?? inject('cliBundle')
  return new Promise((resolve, reject) => {
    const env: Record<string, string | undefined> = {
      ...process.env,
      LOGSIEVE_URL: undefined,
      LOGSIEVE_KEY: undefined,
    }
    for (const [k, v] of Object.entries(options?.env ?? {})) env[k] = v
    for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k]
    const child = spawn(process.execPath, [bin, ...args], {
      env: env as NodeJS.ProcessEnv,
      cwd: options?.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    collect(child).then(resolve, reject)
    child.stdin.on('error', () => {})
    child.stdin.end(options?.input)
  })
}

/** Parse stdout as JSON, with the output in the error when it is not. */
export function json<T = Record<string, unknown>>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T
  } catch {
    throw new Error(`not JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`)
  }
}

/** CLI JSON output in tests: its shape is what the assertions check. */
// biome-ignore lint/suspicious/noExplicitAny: assertions, not types, check the shape of CLI output
export type Loose = any

/** Exit code and output of a spawned process. */
export function collect(child: ChildProcessWithoutNullStreams): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d
    })
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d
    })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

/** A policy server on an ephemeral port with a SQLite file in `dir`; no background generation. */
export function startTestServer(dir: string, adminKey: string): Promise<RunningServer> {
  return startServer({ port: 0, dbPath: join(dir, 'logsieve.db'), adminKey, generationIntervalMs: 0 })
}
