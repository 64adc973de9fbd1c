// The README's main command, run short: the whole loop must work and keep every error.
import { spawnSync } from 'node:child_process'
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
    const saved = /saved (\d+\.\d)%/.exec(out)
    expect(Number(saved![1])).toBeGreaterThan(10)
  }, 90_000)
})
