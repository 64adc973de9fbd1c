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

  it('shares the memo between pino integrations, and leaves another kind’s alone', () => {
    const mine = createPreformat()
    const another = createPreformat()
    const pattern: PatternMemo = { memo: undefined }
    mine(logger, syms, 'user %s in', ['user %s in', 'a'], pattern)
    const memo = pattern.memo
    // A second pino logger on the same sieve reads it as it is.
    expect(another(logger, syms, 'user %s in', ['user %s in', 'b'], pattern)).toBe('user b in')
    expect(pattern.memo).toBe(memo)
    // Another kind of integration's memo under the same format: not read, replaced.
    const foreign = { owner: {}, format: 'user %s in', compiled: null }
    pattern.memo = foreign
    expect(mine(logger, syms, 'user %s in', ['user %s in', 'c'], pattern)).toBe('user c in')
    expect(pattern.memo).not.toBe(foreign)
  })

  it('formats without a pattern (the sampler failed open)', () => {
    const preformat = createPreformat()
    expect(preformat(logger, syms, 'user %s in', ['user %s in', 'c'], undefined)).toBe('user c in')
  })
})
