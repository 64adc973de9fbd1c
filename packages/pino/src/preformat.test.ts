import type { PatternMemo } from '@logsieve/core/sdk'
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { createPreformat } from './level-method.js'
import { pinoSymbols } from './pino-symbols.js'
import type { PinoLike } from './types.js'

// A kept line's compiled format is kept on its pattern (Decision.pattern): what a pattern holds must
// never format another format's line, nor another integration's.
describe('preformat with a pattern memo', () => {
  const logger = pino({ enabled: false }) as unknown as PinoLike
  const syms = pinoSymbols(logger)

  it('formats each format by itself when two share a pattern', () => {
    const preformat = createPreformat()
    const pattern: PatternMemo = { memo: undefined }
    for (let i = 0; i < 3; i++) {
      expect(preformat(logger, syms, 'order %s placed', ['order %s placed', i], pattern)).toBe(
        `order ${i} placed`,
      )
      expect(preformat(logger, syms, 'refund %d of %s', ['refund %d of %s', i, 'x'], pattern)).toBe(
        `refund ${i} of x`,
      )
    }
  })

  it('keeps the memo of the last format, and reads it on the next line of that format', () => {
    const preformat = createPreformat()
    const pattern: PatternMemo = { memo: undefined }
    preformat(logger, syms, 'user %s in', ['user %s in', 'a'], pattern)
    const memo = pattern.memo
    expect(memo).toMatchObject({ format: 'user %s in' })
    expect(preformat(logger, syms, 'user %s in', ['user %s in', 'b'], pattern)).toBe('user b in')
    expect(pattern.memo).toBe(memo)
  })

  it('does not read another integration’s memo', () => {
    const mine = createPreformat()
    const theirs = createPreformat()
    const pattern: PatternMemo = { memo: undefined }
    theirs(logger, syms, 'user %s in', ['user %s in', 'a'], pattern)
    // A foreign memo under the same format: replaced, and the line formatted from its own arguments.
    ;(pattern.memo as { compiled: unknown }).compiled = null
    expect(mine(logger, syms, 'user %s in', ['user %s in', 'b'], pattern)).toBe('user b in')
  })

  it('formats without a pattern (the sampler failed open)', () => {
    const preformat = createPreformat()
    expect(preformat(logger, syms, 'user %s in', ['user %s in', 'c'], undefined)).toBe('user c in')
  })
})
