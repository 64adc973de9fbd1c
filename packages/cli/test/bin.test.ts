// The bin shim as installed: `node packages/cli/bin/logsieve.js` runs the TypeScript source via tsx.
import { describe, expect, it } from 'vitest'
import { BIN, json, type Loose, runCli } from './helpers.js'

describe('bin/logsieve.js', () => {
  it('prints the version and help, and exits 2 on an unknown command', async () => {
    const [version, help, unknown] = await Promise.all([
      runCli(['--version'], { bin: BIN }),
      runCli(['--help'], { bin: BIN }),
      runCli(['frobnicate'], { bin: BIN }),
    ])
    expect(version).toMatchObject({ code: 0, stdout: '0.1.0\n' })
    expect(help.code).toBe(0)
    expect(help.stdout).toMatch(/^Usage: logsieve <command> \[options\]$/m)
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toBe('logsieve: unknown command "frobnicate" (see: logsieve --help)\n')
  })

  it('runs analyze end to end from stdin', async () => {
    const input = 'user 1 logged in\nuser 2 logged in\nERROR disk full\n'
    const result = await runCli(['analyze', '-', '--json', '--window', '1h'], { bin: BIN, input })
    expect(result.code, result.stderr).toBe(0)
    const report = json<Loose>(result)
    expect(report.distinctPatterns).toBe(2)
    expect(report.patterns[0]).toMatchObject({ count: 2, level: 'info' })
  })
})
