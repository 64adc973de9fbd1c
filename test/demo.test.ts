// The README's main command, run short: the whole loop must work and keep every error.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'

const root = resolve(import.meta.dirname, '..')
const tmp = mkdtempSync(join(tmpdir(), 'logsieve-demo-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

describe('pnpm demo', () => {
  it('runs the loop for a bounded time, keeps every error and ends with a summary', () => {
    const run = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'scripts/demo/index.ts',
        '--duration',
        '12',
        '--rps',
        '100',
        '--db',
        join(tmp, 'demo.db'),
      ],
      { cwd: root, encoding: 'utf8', timeout: 60_000 },
    )
    expect(run.status, run.stderr).toBe(0)
    const out = run.stdout
    expect(out).toContain('── summary ──')
    const errors = /errors: seen (\d+), kept (\d+)/.exec(out)
    expect(errors).not.toBeNull()
    expect(errors![2]).toBe(errors![1])
    const versions = /policy versions: (\d+)/.exec(out)
    expect(Number(versions![1])).toBeGreaterThanOrEqual(1)
    // Saved against plain pino's bytes for the same calls, and consistent with the two byte counts.
    const bytes =
      /bytes: ([\d.]+) MB plain pino, ([\d.]+) MB with Logsieve: saved (\d+\.\d)% \(against plain bytes\)/.exec(
        out,
      )
    expect(bytes, out).not.toBeNull()
    const [plain, written, saved] = [Number(bytes![1]), Number(bytes![2]), Number(bytes![3])]
    expect(saved).toBeGreaterThan(10)
    // Both byte counts are printed to 0.01 MB: allow for that rounding, and the 0.05 of the percentage's.
    const rounding = 100 * (0.005 / plain + (written * 0.005) / plain ** 2) + 0.05
    expect(Math.abs(saved - 100 * (1 - written / plain))).toBeLessThanOrEqual(rounding)
  }, 90_000)

  it('prints the dashboard address and key, and its traffic shows on the dashboard while it runs', async () => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'scripts/demo/index.ts',
        '--duration',
        '20',
        '--rps',
        '50',
        '--db',
        join(tmp, 'ui.db'),
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
    )
    try {
      let out = ''
      child.stdout.setEncoding('utf8')
      const line = await new Promise<RegExpExecArray>((resolve, reject) => {
        child.stdout.on('data', (chunk: string) => {
          out += chunk
          const m = /dashboard: (http:\/\/[^ ]+\/ui\/) +\(log in with the key ([^)]+)\)/.exec(out)
          if (m) resolve(m)
        })
        child.once('exit', () => reject(new Error(`demo ended without a dashboard line:\n${out}`)))
      })
      const [, url, key] = line
      const base = url!.replace(/\/ui\/$/, '')
      const form = await fetch(`${base}/ui/login`)
      const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!
      const login = await fetch(`${base}/ui/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: {
          cookie: form.headers.getSetCookie()[0]!.split(';')[0]!,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ key: key!, _csrf: csrf }),
      })
      expect(login.status).toBe(303)
      const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!
      // The demo's patterns appear within a few stats intervals.
      let html = ''
      for (let i = 0; i < 40 && !html.includes('cache lookup'); i++) {
        await new Promise((resolve) => setTimeout(resolve, 500))
        html = await (
          await fetch(`${base}/ui/services/checkout?environment=demo`, { headers: { cookie } })
        ).text()
      }
      expect(html).toContain('cache lookup for %s:%s hit=%s')
    } finally {
      child.kill('SIGINT')
    }
  }, 90_000)
})
