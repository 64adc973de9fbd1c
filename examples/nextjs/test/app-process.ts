// `next start` on the laid-out app as a child process: its JSON log lines (stdout), its stderr, its exit.
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

/** Start `next start` on a free port and wait until it answers. */
export async function startApp(nextBin: string, env: Record<string, string>): Promise<RunningApp> {
  const port = await freePort()
  const child = spawn(process.execPath, [nextBin, 'start', '-p', String(port), '-H', '127.0.0.1'], {
    cwd: appDir,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
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
  await until(async () => (await fetch(`${app.url}/api/edge`).catch(() => undefined))?.ok === true, 30_000)
  return app
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
