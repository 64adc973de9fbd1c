// The real `logsieve-server` bin as a child process, for crash and replica tests.
import { type ChildProcess, spawn } from 'node:child_process'
import { resolve } from 'node:path'

const BIN = resolve(import.meta.dirname, '../src/bin.ts')

export interface BinProcess {
  child: ChildProcess
  url: string
  /** Everything the process wrote so far (stdout and stderr). */
  output(): string
}

/** Starts the bin with `args` (plus `--port 0`) and resolves once it listens. */
export function startBin(args: string[], env: Record<string, string> = {}): Promise<BinProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', BIN, '--port', '0', ...args], {
    cwd: resolve(import.meta.dirname, '..'),
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  return new Promise((ok, fail) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d
      const m = /listening on (http:\/\/\S+)/.exec(out)
      if (m) ok({ child, url: m[1]!, output: () => out })
    })
    child.stderr!.on('data', (d: Buffer) => {
      out += d
    })
    child.once('exit', (code) => fail(new Error(`server exited (${code}) before listening: ${out}`)))
  })
}

export const exited = (child: ChildProcess) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((ok) => {
    if (child.exitCode !== null || child.signalCode !== null)
      ok({ code: child.exitCode, signal: child.signalCode })
    else child.once('exit', (code, signal) => ok({ code, signal }))
  })

/** Kills what is still running (afterAll). */
export function killAll(children: Iterable<ChildProcess>): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
}
