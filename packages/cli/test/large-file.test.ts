// Streaming check: a file far larger than the memory the CLI may use. The child reports its own peak RSS
// (process.resourceUsage().maxRSS) in the --json report.
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { json, type Loose, runCli } from './helpers.js'

const TARGET_BYTES = 256 * 1024 * 1024

/** 0 → 'a', 27 → 'bb': a letters-only name, which signatures keep (digits would be masked). */
function word(n: number): string {
  let out = ''
  do {
    out += String.fromCharCode(97 + (n % 26))
    n = Math.floor(n / 26)
  } while (n > 0)
  return out
}

let dir: string
let file: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'logsieve-cli-large-'))
  file = join(dir, 'large.log')
  // One ~4 MB block of varied pino lines (~3,000 templates), written until the file is large enough.
  const lines: string[] = []
  const start = Date.parse('2024-05-01T00:00:00Z')
  for (let i = 0; i < 30_000; i++) {
    const time = start + i * 1000
    const name = word(i % 3000)
    const msg = `GET /api/${name} handled by ${name}Handler returned 200 in ${i % 97}ms for user ${i}`
    lines.push(
      JSON.stringify({
        level: i % 50 === 0 ? 50 : 30,
        time,
        pid: 4242,
        hostname: 'web-1',
        req: { id: i },
        msg,
      }),
    )
  }
  const block = Buffer.from(`${lines.join('\n')}\n`)
  const fd = openSync(file, 'w')
  for (let written = 0; written < TARGET_BYTES; written += block.length) writeSync(fd, block)
  closeSync(fd)
}, 60_000)
afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

describe('logsieve analyze on a large file', () => {
  it('streams it with bounded memory', async () => {
    const size = statSync(file).size
    const small = join(dir, 'small.log')
    writeFileSync(small, '{"level":30,"msg":"one line"}\n')
    const baseline = json<Loose>(await runCli(['analyze', small, '--json'])).performance.maxRssBytes as number
    const result = await runCli(['analyze', file, '--budget', '1GB/day', '--json', '--top', '5'])
    expect(result.code, result.stderr).toBe(0)
    const report = json<Loose>(result)
    expect(report.input.bytes).toBe(size)
    expect(report.distinctPatterns).toBeGreaterThanOrEqual(3000)
    // What reading the file adds to the peak RSS of the same CLI on a one-line file (runtime and
    // TypeScript loader are in both) stays a small fraction of the file: memory does not grow with it.
    const added = report.performance.maxRssBytes - baseline
    expect(added).toBeLessThan(size / 4)
    expect(report.performance.maxRssBytes).toBeLessThan(size * 0.75)
    console.info(
      `analyze ${(size / 1e6).toFixed(0)} MB: ${report.performance.linesPerSecond} lines/s, ` +
        `${(report.performance.bytesPerSecond / 1e6).toFixed(1)} MB/s, peak RSS ${(report.performance.maxRssBytes / 1e6).toFixed(0)} MB ` +
        `(${((report.performance.maxRssBytes - baseline) / 1e6).toFixed(0)} MB over a one-line file), ` +
        `${report.performance.linesPerCpuSecond} lines per CPU-second`,
    )
  }, 120_000)

  it('does not keep long lines alive through their pattern rows', async () => {
    // 4,000 distinct patterns whose lines are 24 KB each (96 MB): a row that kept its line would hold it all.
    const longFile = join(dir, 'long-lines.log')
    const fd = openSync(longFile, 'w')
    const filler = ' tail'.repeat(4800)
    for (let i = 0; i < 4000; i++) writeSync(fd, `WARN ${word(i)} ${word(i + 7)} ${word(i + 11)}${filler}\n`)
    closeSync(fd)
    const small = join(dir, 'small-2.log')
    writeFileSync(small, 'WARN one line\n')
    const baseline = json<Loose>(await runCli(['analyze', small, '--json'])).performance.maxRssBytes as number
    const result = await runCli(['analyze', longFile, '--json', '--top', '1'])
    expect(result.code, result.stderr).toBe(0)
    const report = json<Loose>(result)
    expect(report.distinctPatterns).toBe(4000)
    expect(report.patterns[0].template.length).toBeLessThanOrEqual(1024)
    expect(report.performance.maxRssBytes - baseline).toBeLessThan(statSync(longFile).size / 2)
  })
})
