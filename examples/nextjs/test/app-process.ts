// `next start` or `next dev` on a laid-out app as a child process: its JSON log lines (stdout), its stderr,
// its exit.
import { type ChildProcess, spawn } from 'node:child_process'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { appDir } from './app.js'

export interface RunningApp {
  url: string
  /** The log lines written so far (stdout lines that are JSON). */
  lines: Array<Record<string, unknown>>
  stderr(): string
  /** The exit code (null when a signal ended it). */
  exited: Promise<number | null>
  child: ChildProcess
}

export interface StartOptions {
  /** `next start` (the built app) or `next dev`. @default 'start' */
  command?: 'start' | 'dev'
  /** @default appDir */
  dir?: string
  /** The path polled until it answers 200 (`next dev` compiles it then). @default '/api/edge' */
  ready?: string
  /** @default 30_000 */
  readyMs?: number
}

/** Start `next start` (or `next dev`) on a free port and wait until it answers. */
export async function startApp(
  nextBin: string,
  env: Record<string, string>,
  { command = 'start', dir = appDir, ready = '/api/edge', readyMs = 30_000 }: StartOptions = {},
): Promise<RunningApp> {
  const port = await freePort()
  const child = spawn(process.execPath, [nextBin, command, '-p', String(port), '-H', '127.0.0.1'], {
    cwd: dir,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // `next dev` serves from a child process of its own: a process group lets stopDevApp end both.
    detached: command === 'dev',
  })
  const app: RunningApp = {
    url: `http://127.0.0.1:${port}`,
    lines: [],
    stderr: () => stderr,
    exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
    child,
  }
  let stderr = ''
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  let pending = ''
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk
    const parts = pending.split('\n')
    pending = parts.pop() ?? ''
    for (const part of parts) if (part.startsWith('{')) app.lines.push(JSON.parse(part))
  })
  try {
    await until(async () => (await fetch(`${app.url}${ready}`).catch(() => undefined))?.ok === true, readyMs)
  } catch (error) {
    if (command === 'dev') stopDevApp(app)
    else child.kill('SIGKILL')
    throw new Error(`next ${command} did not answer ${ready} within ${readyMs} ms\n${stderr}`, {
      cause: error,
    })
  }
  return app
}

/** End a `next dev` started by startApp, with the server process it started (its process group). */
export function stopDevApp(app: RunningApp): void {
  if (app.child.pid === undefined) return
  try {
    process.kill(-app.child.pid, 'SIGKILL')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error
  }
}

export async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

async function freePort(): Promise<number> {
  const probe = createServer()
  const url = await listen(probe)
  await new Promise((resolve) => probe.close(resolve))
  return Number(new URL(url).port)
}

export async function until(check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not reached')
    await new Promise((r) => setTimeout(r, 50))
  }
}
