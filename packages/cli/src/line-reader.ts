// Splits a byte stream into lines with bounded memory: one chunk plus at most one partial line
// (capped at maxLineBytes) is held at a time, whatever the size of the input.

const NEWLINE = 0x0a
const CR = 0x0d

export interface ReadLinesOptions {
  /** Longer lines are cut to this many bytes (their full size still counts). @default 65_536 */
  maxLineBytes?: number
  /** Called after each chunk with the total bytes read so far. */
  onProgress?: (bytesRead: number) => void
}

export interface ReadLinesResult {
  /** Non-empty lines handed to onLine. */
  lines: number
  /** Bytes read, newlines included. */
  bytes: number
  /** The input ended without a final newline (a file still being written, or cut short). */
  unterminatedLastLine: boolean
  /** Lines longer than maxLineBytes, cut before decoding. */
  longLines: number
}

/**
 * Call `onLine(text, bytes)` for every non-empty line of `source`. Bytes that are not valid UTF-8
 * decode to U+FFFD (they never throw); a trailing `\r` is dropped; `bytes` is the line's size on disk,
 * newline included.
 */
export async function readLines(
  source: AsyncIterable<Buffer | string>,
  onLine: (text: string, bytes: number) => void,
  options?: ReadLinesOptions,
): Promise<ReadLinesResult> {
  const maxLineBytes = options?.maxLineBytes ?? 65_536
  const result: ReadLinesResult = { lines: 0, bytes: 0, unterminatedLastLine: false, longLines: 0 }
  // The partial line carried over from the previous chunk, cut at maxLineBytes; carryBytes is its true size.
  let carry: Buffer | undefined
  let carryBytes = 0

  const emit = (buf: Buffer, start: number, end: number, size: number) => {
    if (end > start && buf[end - 1] === CR) end--
    if (end <= start) return
    if (end - start > maxLineBytes) {
      end = start + maxLineBytes
      result.longLines++
    } else if (size - 1 > maxLineBytes) result.longLines++
    result.lines++
    onLine(buf.toString('utf8', start, end), size)
  }

  for await (const raw of source) {
    const chunk = typeof raw === 'string' ? Buffer.from(raw) : raw
    result.bytes += chunk.length
    let start = 0
    let nl = chunk.indexOf(NEWLINE)
    if (carry !== undefined) {
      if (nl === -1) {
        carryBytes += chunk.length
        if (carry.length < maxLineBytes) {
          carry = Buffer.concat([carry, chunk.subarray(0, maxLineBytes - carry.length)])
        }
        options?.onProgress?.(result.bytes)
        continue
      }
      const head = carry.length < maxLineBytes ? chunk.subarray(0, maxLineBytes - carry.length) : undefined
      const line = head ? Buffer.concat([carry, head.subarray(0, Math.min(nl, head.length))]) : carry
      emit(line, 0, line.length, carryBytes + nl + 1)
      carry = undefined
      carryBytes = 0
      start = nl + 1
      nl = chunk.indexOf(NEWLINE, start)
    }
    while (nl !== -1) {
      emit(chunk, start, nl, nl - start + 1)
      start = nl + 1
      nl = chunk.indexOf(NEWLINE, start)
    }
    if (start < chunk.length) {
      // Copy: the stream may reuse its chunk buffer, and the slice would pin the whole chunk.
      carry = Buffer.from(chunk.subarray(start, Math.min(chunk.length, start + maxLineBytes)))
      carryBytes = chunk.length - start
    }
    options?.onProgress?.(result.bytes)
  }
  if (carry !== undefined) {
    result.unterminatedLastLine = true
    emit(carry, 0, carry.length, carryBytes)
  }
  return result
}
