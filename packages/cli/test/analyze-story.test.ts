// `logsieve analyze` tells one story: the window from the file's own timestamps (asking for --window only
// when it has none), per-day and per-file figures that agree, and "over budget" only when the floor alone
// exceeds the budget, with by how much. Run as a user runs it, on generated files of four common shapes.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { json, type Loose, runCli } from './helpers.js'
import { generateLog, type LogStyle } from './log-styles.js'

const DAY = 86_400
let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'logsieve-cli-story-'))
})
afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

function write(style: LogStyle, lines: number, spanSeconds: number): string {
  const file = join(dir, `${style}-${lines}-${spanSeconds}.log`)
  writeFileSync(file, generateLog(style, { lines, spanSeconds }))
  return file
}

/** The human report's per-day and per-file lines: `a → b (change)`. */
function figures(stdout: string) {
  const perDay = /^per day: +(\S+ \S+) → (\S+ \S+) \(([^)]+)\)$/m.exec(stdout)
  const file = /^this file: +(\S+ \S+) → (\S+ \S+) \(([^)]+)\), ([\d,]+) of ([\d,]+) lines kept$/m.exec(
    stdout,
  )
  expect(perDay, stdout).not.toBeNull()
  expect(file, stdout).not.toBeNull()
  return { perDayChange: perDay![3], fileChange: file![3] }
}

const close = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-6 * Math.max(1, a, b))

describe('logsieve analyze on the common shapes of log files', () => {
  const cases: Array<[LogStyle, number, number]> = [
    ['iso-after-prefix', 2000, 600],
    ['syslog', 2000, 7200],
    ['apache', 3000, 3600],
  ]
  for (const [style, lines, span] of cases) {
    it(`${style}: takes the window from the timestamps, and its per-day and per-file figures agree`, async () => {
      const file = write(style, lines, span)
      const result = await runCli(['analyze', file, '--reduce', '90%', '--json'])
      expect(result.code, result.stderr).toBe(0)
      const r = json<Loose>(result)
      expect(r.input.timedLines).toBe(lines)
      expect(r.window).toMatchObject({ source: 'timestamps', seconds: span })
      const { perDay, file: inFile } = r.outcome
      // Before is the file itself: its lines and their bytes.
      expect(inFile.before.lines).toBeCloseTo(lines, 6)
      close(inFile.before.bytes, r.input.bytes)
      // One figure scaled by the window: the same cut per day and for the file.
      close(perDay.before.bytes * (span / DAY), inFile.before.bytes)
      close(perDay.after.bytes * (span / DAY), inFile.after.bytes)
      close(perDay.after.lines * (span / DAY), inFile.after.lines)
      close(r.keptBytes, inFile.after.bytes)
      expect(inFile.after.lines).toBeLessThan(lines)
      // The kept lines include every error, and more than the rates alone keep: the floor is counted.
      const errors = r.patterns.filter((p: Loose) => p.level === 'error')
      const errorLines = errors.reduce((sum: number, p: Loose) => sum + p.count, 0)
      const byRates = r.patterns.reduce((sum: number, p: Loose) => sum + p.count * p.rate, 0)
      expect(inFile.after.lines).toBeGreaterThanOrEqual(errorLines)
      expect(inFile.after.lines).toBeGreaterThan(byRates)

      const human = await runCli(['analyze', file, '--reduce', '90%', '--top', '3'])
      expect(human.code).toBe(0)
      expect(human.stdout).toMatch(/^window: +[\d.]+ (min|h) \(from the timestamps\)$/m)
      expect(human.stdout).not.toContain('--window')
      const { perDayChange, fileChange } = figures(human.stdout)
      expect(fileChange).toBe(perDayChange)
      expect(perDayChange).toMatch(/^\d+% less$/)
    })
  }

  it('no timestamps: assumes a day, says so and asks for --window; --window then decides', async () => {
    const file = write('no-timestamp', 1500, 0)
    const human = await runCli(['analyze', file, '--reduce', '90%', '--top', '3'])
    expect(human.code).toBe(0)
    expect(human.stdout).toMatch(/^window: +1 d \(assumed: no timestamps found; set --window\)$/m)
    const { perDayChange, fileChange } = figures(human.stdout)
    expect(fileChange).toBe(perDayChange)
    // 1,500 lines in an assumed day: under a line a minute per pattern, the floor keeps them all, and says so.
    expect(human.stdout).toMatch(/^this file: .*, 1,500 of 1,500 lines kept$/m)
    expect(human.stdout).toMatch(/^OVER BUDGET: the floor alone needs /m)
    expect(human.stdout).toMatch(/every line is kept; --floor 0 shows what the rates alone would do$/m)

    const given = await runCli(['analyze', file, '--reduce', '90%', '--window', '10min', '--json'])
    const r = json<Loose>(given)
    expect(r.window).toMatchObject({ source: 'option', seconds: 600 })
    close(r.outcome.perDay.after.bytes * (600 / DAY), r.outcome.file.after.bytes)
    expect(r.outcome.file.after.bytes).toBeLessThan(r.input.bytes * 0.2)
  })

  it('timestamps all within one second: assumes a day and says why', async () => {
    const file = write('iso-after-prefix', 50, 0.5)
    const human = await runCli(['analyze', file, '--top', '1'])
    expect(human.stdout).toMatch(
      /^window: +1 d \(assumed: the timestamps all fall within one second; set --window\)$/m,
    )
  })
})

describe('logsieve analyze: over budget only when the floor alone exceeds it', () => {
  it('says by how much over, and is not over with a budget just above the floor', async () => {
    // Two hours of syslog: each pattern's 1 line/min floor costs more than a tenth of the file.
    const file = write('syslog', 2000, 7200)
    const tiny = await runCli(['analyze', file, '--budget', '1KB/day', '--json'])
    const over = json<Loose>(tiny).outcome
    expect(over.overBudget).not.toBeNull()
    const floor = over.overBudget.floorBytesPerDay
    expect(floor).toBeGreaterThan(1000)
    close(over.overBudget.overBytesPerDay, floor - 1000)
    // Every rate is at its lowest: what is written is the floor, no more.
    close(over.perDay.after.bytes, floor)

    const below = Math.floor(floor * 0.9)
    const human = await runCli(['analyze', file, '--budget', `${below}B/day`, '--top', '1'])
    expect(human.code).toBe(0)
    const statement =
      /^OVER BUDGET: the floor alone needs (\S+ \S+)\/day, (\S+ \S+)\/day over the budget of (\S+ \S+)\/day:$/m.exec(
        human.stdout,
      )
    expect(statement, human.stdout).not.toBeNull()
    const r = json<Loose>(await runCli(['analyze', file, '--budget', `${below}B/day`, '--json']))
    close(r.outcome.overBudget.floorBytesPerDay, floor)
    close(r.outcome.overBudget.overBytesPerDay, floor - below)
    expect(human.stdout).toMatch(/raise the budget or lower --floor/)

    const above = Math.ceil(floor * 1.1)
    const fits = await runCli(['analyze', file, '--budget', `${above}B/day`, '--json'])
    const ok = json<Loose>(fits)
    expect(ok.outcome.overBudget).toBeNull()
    expect(ok.outcome.perDay.after.bytes).toBeLessThanOrEqual(above)
    expect(ok.outcome.perDay.after.bytes).toBeGreaterThanOrEqual(floor)
    const text = await runCli(['analyze', file, '--budget', `${above}B/day`, '--top', '1'])
    expect(text.stdout).not.toMatch(/OVER BUDGET/)
  })

  it('states a budget in events per second in events', async () => {
    // Ten minutes of OpenStack-style lines: the floor and the warnings and errors keep ~0.27 lines/s.
    const file = write('iso-after-prefix', 2000, 600)
    const r = json<Loose>(await runCli(['analyze', file, '--budget', '0.1/s', '--json']))
    const events = r.outcome.overBudget.events
    expect(events.budgetPerSecond).toBe(0.1)
    expect(events.floorPerSecond).toBeGreaterThan(0.1)
    close(events.overPerSecond, events.floorPerSecond - 0.1)
    close(events.floorPerSecond * 600, r.outcome.file.after.lines)
    const human = await runCli(['analyze', file, '--budget', '0.1/s', '--top', '1'])
    expect(human.stdout).toMatch(
      /^budget: +0\.1 lines\/s \(about \S+ \S+\/day at the file's mean line size\)$/m,
    )
    expect(human.stdout).toMatch(
      /^OVER BUDGET: the floor alone keeps [\d.]+ lines\/s, [\d.]+\/s over the budget of 0\.1\/s:$/m,
    )
    const fits = json<Loose>(
      await runCli(['analyze', file, '--budget', `${events.floorPerSecond * 1.2}/s`, '--json']),
    )
    expect(fits.outcome.overBudget).toBeNull()
  })

  it('a budget the file fits whole is never "over", and nothing is cut', async () => {
    const file = write('apache', 3000, 3600)
    const r = json<Loose>(await runCli(['analyze', file, '--budget', '1GB/day', '--json']))
    expect(r.outcome.overBudget).toBeNull()
    close(r.outcome.file.after.bytes, r.outcome.file.before.bytes)
    const human = await runCli(['analyze', file, '--budget', '1GB/day', '--top', '1'])
    expect(human.stdout).toMatch(/^per day: .*\(no change\)$/m)
    expect(human.stdout).toMatch(/^this file: .*\(no change\), 3,000 of 3,000 lines kept$/m)
  })
})
