// Human output: aligned plain-text tables that survive being piped, pasted into a PR or grepped.

export interface Column<T> {
  header: string
  value: (row: T) => string
  align?: 'left' | 'right'
  /** Longer cells are cut with an ellipsis. */
  max?: number
}

/** Render rows as an aligned table; the last column is not padded (no trailing spaces). */
export function table<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const cells = rows.map((row) => columns.map((c) => clip(oneLine(c.value(row)), c.max)))
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => r[i]!.length)))
  const render = (values: string[]) =>
    values
      .map((v, i) => {
        const last = i === values.length - 1
        if (columns[i]!.align === 'right') return v.padStart(widths[i]!)
        return last ? v : v.padEnd(widths[i]!)
      })
      .join('  ')
      .trimEnd()
  return [render(columns.map((c) => c.header)), ...cells.map(render)].join('\n')
}

/** Two-column key/value block. */
export function fields(pairs: ReadonlyArray<readonly [string, string]>): string {
  const width = Math.max(...pairs.map(([k]) => k.length))
  return pairs.map(([k, v]) => `${`${k}:`.padEnd(width + 2)}${v}`).join('\n')
}

function oneLine(text: string): string {
  return /[\n\r\t]/.test(text) ? text.replace(/[\n\r\t]+/g, ' ') : text
}

function clip(text: string, max: number | undefined): string {
  return max !== undefined && text.length > max ? `${text.slice(0, max - 1)}…` : text
}

/** What a command writes to; tests and the bin pass process streams. */
export interface Io {
  out: (text: string) => void
  err: (text: string) => void
  /** stderr is a terminal (progress bars, colors). */
  isTTY: boolean
  env: Record<string, string | undefined>
  stdin: AsyncIterable<Buffer | string>
}

export function printJson(io: Io, value: unknown): void {
  io.out(`${JSON.stringify(value, null, 2)}\n`)
}
