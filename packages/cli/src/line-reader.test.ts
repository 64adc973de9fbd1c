import { describe, expect, it } from 'vitest'
import { readLines } from './line-reader.js'

async function collect(chunks: Array<Buffer | string>, maxLineBytes?: number) {
  const lines: Array<[string, number]> = []
  const result = await readLines(
    (async function* () {
      yield* chunks
    })(),
    (text, bytes) => lines.push([text, bytes]),
    maxLineBytes === undefined ? undefined : { maxLineBytes },
  )
  return { lines, result }
}

describe('readLines', () => {
  it('splits lines across chunk boundaries and reports sizes on disk', async () => {
    const { lines, result } = await collect(['hel', 'lo\nwor', 'ld\r\n', '\n', 'x\n'])
    expect(lines).toEqual([
      ['hello', 6],
      ['world', 7],
      ['x', 2],
    ])
    expect(result).toMatchObject({ lines: 3, bytes: 16, unterminatedLastLine: false })
  })

  it('reads a truncated last line and says so', async () => {
    const { lines, result } = await collect(['a\nb', 'c'])
    expect(lines.map((l) => l[0])).toEqual(['a', 'bc'])
    expect(result.unterminatedLastLine).toBe(true)
  })

  it('decodes invalid UTF-8 to U+FFFD without throwing, and keeps multi-byte characters split across chunks', async () => {
    const euro = Buffer.from('€') // 3 bytes
    const chunks = [
      Buffer.concat([Buffer.from('ok '), euro.subarray(0, 1)]),
      Buffer.concat([euro.subarray(1), Buffer.from('\n')]),
      Buffer.from([0xff, 0xfe, 0x41, 0x0a]),
    ]
    const { lines } = await collect(chunks)
    expect(lines[0]).toEqual(['ok €', 7])
    expect(lines[1]![0]).toBe('\uFFFD\uFFFDA')
  })

  it('cuts lines longer than maxLineBytes but counts their full size, within and across chunks', async () => {
    const long = 'x'.repeat(100)
    const { lines, result } = await collect([`${long}\nshort\n`, long.slice(0, 30), long.slice(30), '\n'], 10)
    expect(lines).toEqual([
      ['x'.repeat(10), 101],
      ['short', 6],
      ['x'.repeat(10), 101],
    ])
    expect(result.longLines).toBe(2)
  })

  it('handles empty input', async () => {
    const { lines, result } = await collect([])
    expect(lines).toEqual([])
    expect(result).toMatchObject({ lines: 0, bytes: 0, unterminatedLastLine: false })
  })
})
