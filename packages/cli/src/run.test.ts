// run() in-process, for what a spawned process cannot show: a terminal on stderr.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Io } from './output.js'
import { run } from './run.js'

let dir: string
let file: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'logsieve-cli-run-'))
  file = join(dir, 'app.log')
  writeFileSync(file, 'user 1 logged in\nuser 2 logged in\n'.repeat(1000))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function io(isTTY: boolean) {
  const out: string[] = []
  const err: string[] = []
  const value: Io = {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    isTTY,
    env: {},
    stdin: (async function* () {})(),
  }
  return { value, out, err }
}

describe('progress', () => {
  it('draws a progress bar with lines/s on a terminal, and clears it before the report', async () => {
    const t = io(true)
    expect(await run(['analyze', file], t.value)).toBe(0)
    const drawn = t.err.join('')
    expect(drawn).toMatch(/^\r\[#+-*\] \d+% .* 2,000 lines +[\d,]+ lines\/s\x1b\[K/)
    expect(drawn.endsWith('\r\x1b[K')).toBe(true)
    expect(t.out.join('')).toMatch(/^lines: +2,000/)
  })

  it('draws nothing when stderr is not a terminal, or with --no-progress or --json', async () => {
    for (const [tty, args] of [
      [false, []],
      [true, ['--no-progress']],
      [true, ['--json']],
    ] as const) {
      const t = io(tty)
      expect(await run(['analyze', file, ...args], t.value)).toBe(0)
      expect(t.err).toEqual([])
    }
  })
})

describe('help', () => {
  it('prints help for --help / help (exit 0) and for a missing subcommand on stderr (exit 2)', async () => {
    for (const command of ['policy', 'pins', 'settings', 'patterns', 'budget', 'keys']) {
      const asked = io(false)
      expect(await run([command, '--help'], asked.value)).toBe(0)
      expect(asked.out.join('')).toMatch(/^Usage: logsieve /)
      const missing = io(false)
      expect(await run([command], missing.value)).toBe(2)
      expect(missing.err.join('')).toMatch(/^Usage: logsieve /)
      expect(missing.out).toEqual([])
    }
    const sub = io(false)
    expect(await run(['policy', 'get', '--help'], sub.value)).toBe(0)
  })
})
