// `logsieve analyze` and `logsieve signatures` as a user runs them: a spawned process on real files.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { json, type Loose, runCli } from './helpers.js'

let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'logsieve-cli-analyze-'))
})
afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

/** An hour of pino, winston and text lines: one noisy debug pattern, some info, a few warnings and errors. */
function sampleLog(): string {
  const lines: string[] = []
  const start = Date.parse('2024-05-01T00:00:00Z')
  for (let i = 0; i < 2000; i++) {
    const time = start + Math.floor((i / 2000) * 3_600_000)
    lines.push(JSON.stringify({ level: 20, time, msg: `cache hit for key user:${i} in ${i % 7}ms` }))
    if (i % 4 === 0)
      lines.push(
        JSON.stringify({
          level: 'info',
          timestamp: new Date(time).toISOString(),
          message: `order ${1000 + i} placed by user ${i}`,
        }),
      )
    if (i % 100 === 0)
      lines.push(`${new Date(time).toISOString()} WARN slow query took ${i}ms on shard ${i % 3}`)
    if (i % 500 === 0)
      lines.push(JSON.stringify({ level: 50, time, msg: `payment ${i} failed: card declined` }))
  }
  return `${lines.join('\n')}\n`
}

describe('logsieve analyze', () => {
  it('groups a mixed pino/winston/text file by signature and projects a budget (--json)', async () => {
    const file = join(dir, 'app.log')
    writeFileSync(file, sampleLog())
    const result = await runCli(['analyze', file, '--budget', '20KB/day', '--json'])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    const report = json<Loose>(result)
    expect(report.input).toMatchObject({
      lines: 2000 + 500 + 20 + 4,
      textLines: 20,
      jsonLines: 2504,
      unterminatedLastLine: false,
    })
    expect(report.window.source).toBe('timestamps')
    expect(report.window.seconds).toBeGreaterThan(3500)
    expect(report.distinctPatterns).toBe(4)
    const [top] = report.patterns
    expect(top).toMatchObject({
      level: 'debug',
      count: 2000,
      template: expect.stringContaining('cache hit for key'),
    })
    expect(top.rate).toBeLessThan(1)
    const errors = report.patterns.find((p: Loose) => p.level === 'error')
    expect(errors).toMatchObject({ count: 4, rate: 1 })
    expect(report.generated.projection.bytesPerDayAfter).toBeLessThan(
      report.generated.projection.bytesPerDayBefore,
    )
    expect(report.keptBytes).toBeLessThan(report.input.bytes)
    expect(report.performance.maxRssBytes).toBeGreaterThan(0)
  })

  it('prints a human report with a pattern table and no progress bar when piped', async () => {
    const file = join(dir, 'human.log')
    writeFileSync(file, sampleLog())
    const result = await runCli(['analyze', file, '--reduce', '90%', '--top', '3'])
    expect(result.code).toBe(0)
    expect(result.stderr).toBe('')
    expect(result.stdout).toMatch(/^lines: +2,524 \(2,504 JSON, 20 text\)/m)
    expect(result.stdout).toMatch(/Top 3 of 4 patterns by bytes:/)
    expect(result.stdout).toMatch(/COUNT +BYTES +SHARE +LEVEL +RATE +WHY +SIGNATURE +TEMPLATE/)
    expect(result.stdout).toMatch(/^per day: .* → .*less\)$/m)
  })

  it('reads stdin, a truncated last line and invalid UTF-8', async () => {
    const input = Buffer.concat([
      Buffer.from('{"level":30,"msg":"hello 1"}\n'),
      Buffer.from([0x62, 0x61, 0x64, 0x20, 0xff, 0xfe, 0x0a]),
      Buffer.from('{"level":30,"msg":"hello 2"'),
    ])
    const result = await runCli(['analyze', '-', '--json', '--window', '1h'], { input })
    expect(result.code).toBe(0)
    const report = json<Loose>(result)
    expect(report.input).toMatchObject({ lines: 3, unterminatedLastLine: true, jsonLines: 1, textLines: 2 })
    expect(report.window).toMatchObject({ seconds: 3600, source: 'option' })
    expect(report.patterns.some((p: Loose) => p.example.includes('\uFFFD'))).toBe(true)
  })

  it('writes the generated policy with --policy-out, valid for `policy validate`', async () => {
    const file = join(dir, 'out.log')
    writeFileSync(file, sampleLog())
    const out = join(dir, 'policy.json')
    const result = await runCli(['analyze', file, '--budget', '20KB/day', '--policy-out', out, '--json'])
    expect(result.code).toBe(0)
    const validated = await runCli(['policy', 'validate', out, '--json'])
    expect(validated.code).toBe(0)
    expect(json<Loose>(validated)).toMatchObject({ valid: true, policy: { service: 'analyze' } })
  })

  it('fails with clear errors and exit codes for bad input', async () => {
    const missing = await runCli(['analyze', join(dir, 'nope.log')])
    expect(missing).toMatchObject({ code: 8, stdout: '' })
    expect(missing.stderr).toMatch(/cannot read .*nope\.log: ENOENT/)
    const usage = await runCli(['analyze'])
    expect(usage.code).toBe(2)
    const badBudget = await runCli(['analyze', '-', '--budget', 'lots'], { input: 'x\n' })
    expect(badBudget.code).toBe(2)
    expect(badBudget.stderr).toMatch(/--budget: cannot read "lots"/)
    const empty = await runCli(['analyze', '-', '--json'], { input: '' })
    expect(empty.code).toBe(8)
    expect(json<Loose>(empty).error).toMatchObject({ exitCode: 8, message: 'the input has no log lines' })
    const flag = await runCli(['analyze', '-', '--bogus'], { input: 'x\n' })
    expect(flag.code).toBe(2)
    expect(flag.stderr).toMatch(/Unknown option '--bogus'/)
  })
})

describe('logsieve signatures', () => {
  it('prints signature<TAB>template per line, the same signature for the same template', async () => {
    const input =
      'user 42 logged in from 10.0.0.1\nuser 7 logged in from 10.0.0.2\n{"level":30,"msg":"disk full"}\n'
    const result = await runCli(['signatures', '-'], { input })
    expect(result.code).toBe(0)
    const rows = result.stdout
      .trimEnd()
      .split('\n')
      .map((l) => l.split('\t'))
    expect(rows).toHaveLength(3)
    for (const [sig] of rows) expect(sig).toMatch(/^[0-9a-f]{16}$/)
    expect(rows[0]![0]).toBe(rows[1]![0])
    expect(rows[0]![1]).toBe(rows[1]![1])
    expect(rows[2]![1]).toBe('disk full')
  })

  it('--merge prints pattern id<TAB>merged template per line, in order, never joining two levels', async () => {
    const users = ['root', 'git', 'admin', 'mysql']
    const lines = [
      ...users.map((u, i) => `Failed password for ${u} from 10.0.0.${i} port 22 ssh2`),
      'server started',
      JSON.stringify({ level: 50, msg: 'Failed password for bob from 1.1.1.1 port 1 ssh2' }),
      'Failed password for root from 10.9.9.9 port 2 ssh2',
    ]
    const plain = await runCli(['signatures', '-'], { input: `${lines.join('\n')}\n` })
    const result = await runCli(['signatures', '--merge', '-'], { input: `${lines.join('\n')}\n` })
    expect(result.code).toBe(0)
    const rows = result.stdout
      .trimEnd()
      .split('\n')
      .map((l) => l.split('\t'))
    expect(rows).toHaveLength(lines.length)
    const pattern = rows[0]![0]
    for (const i of [0, 1, 2, 3, 6])
      expect(rows[i]).toEqual([pattern, 'Failed password for <*> from <*> port <*>'])
    // The pattern id is none of its members' signatures; lines alone keep their own.
    const signatures = plain.stdout
      .trimEnd()
      .split('\n')
      .map((l) => l.split('\t'))
    expect(signatures.map((s) => s[0])).not.toContain(pattern)
    expect(rows[4]).toEqual(signatures[4])
    expect(rows[5]).toEqual(signatures[5]) // the error line is not merged into the info pattern
  })
})

describe('logsieve analyze reports merged patterns', () => {
  it('lists each merged pattern with its members, lines and bytes (--json and text)', async () => {
    const file = join(dir, 'merge.log')
    const hives = ['SOFTWARE', 'SYSTEM', 'COMPONENTS', 'DRIVERS']
    const lines = hives.flatMap((h) => [1, 2].map((i) => `Loading offline registry hive: ${h}, try ${i}`))
    writeFileSync(file, `${lines.join('\n')}\nserver started\n`)
    const result = await runCli(['analyze', file, '--json'])
    expect(result.code).toBe(0)
    const report = json<Loose>(result)
    expect(report.distinctPatterns).toBe(5)
    expect(report.merged).toHaveLength(1)
    expect(report.merged[0]).toMatchObject({
      level: 'info',
      template: 'Loading offline registry hive: <*>, try <*>',
      count: 8,
    })
    expect(report.merged[0].members).toHaveLength(4)
    expect(report.merged[0].reason).toContain('4 values')
    const text = await runCli(['analyze', file])
    expect(text.stdout).toContain('4 signatures are 1 merged patterns')
    expect(text.stdout).toContain('Loading offline registry hive: <*>, try <*>')
  })
})
