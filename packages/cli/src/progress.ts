// A one-line progress bar on stderr, redrawn at most 10 times a second; only used on a terminal.
import type { Io } from './output.js'
import { formatBytes, formatCount } from './units.js'

const WIDTH = 24

export function createProgress(io: Io, totalBytes: number | undefined) {
  const started = performance.now()
  let last = 0
  const draw = (bytes: number, lines: number) => {
    const seconds = (performance.now() - started) / 1000
    const speed = `${formatCount(Math.round(lines / Math.max(seconds, 0.001)))} lines/s`
    let bar = ''
    if (totalBytes) {
      const filled = Math.min(WIDTH, Math.round((bytes / totalBytes) * WIDTH))
      bar = `[${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${Math.floor((bytes / totalBytes) * 100)}% `
    }
    io.err(`\r${bar}${formatBytes(bytes)}  ${formatCount(lines)} lines  ${speed}\x1b[K`)
  }
  return {
    update(bytes: number, lines: number) {
      const now = performance.now()
      if (now - last < 100) return
      last = now
      draw(bytes, lines)
    },
    done() {
      if (last > 0) io.err('\r\x1b[K')
    },
  }
}
