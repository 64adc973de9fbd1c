// The test vectors of docs/signature.md, checked byte for byte: an SDK in another language must produce
// exactly these templates and signatures.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { hash64Hex } from './hash.js'
import { computeSignature } from './signature.js'

interface VectorCase {
  name: string
  message?: string
  recipe?: { prefix: string; repeat: string; count: number }
  utf16?: string
  template: string
  signature: string
}

const file = new URL('../test-vectors/signature.json', import.meta.url)
const vectors = JSON.parse(readFileSync(file, 'utf8')) as { version: number; cases: VectorCase[] }

function messageOf(c: VectorCase): string {
  if (c.recipe) return c.recipe.prefix + c.recipe.repeat.repeat(c.recipe.count)
  return c.message ?? ''
}

describe('signature test vectors', () => {
  it('has at least 200 cases covering empty, huge, unicode, control chars and lone surrogates', () => {
    const cases = vectors.cases
    expect(vectors.version).toBe(2)
    expect(cases.length).toBeGreaterThanOrEqual(200)
    expect(cases.some((c) => c.message === '')).toBe(true)
    expect(cases.some((c) => messageOf(c).length >= 1_000_000)).toBe(true)
    expect(cases.some((c) => c.utf16 !== undefined)).toBe(true)
    expect(cases.some((c) => /[\u0000-\u001f]/.test(messageOf(c)))).toBe(true)
    expect(cases.some((c) => /[^\u0000-\u007f]/.test(messageOf(c)))).toBe(true)
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length)
  })

  it.each(vectors.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const message = messageOf(c)
    if (c.utf16 !== undefined) {
      const units = c.utf16.split(' ').map((h) => Number.parseInt(h, 16))
      expect(Array.from({ length: message.length }, (_, i) => message.charCodeAt(i))).toEqual(units)
    }
    const result = computeSignature(message)
    expect(result.template).toBe(c.template)
    expect(result.signature).toBe(c.signature)
    expect(hash64Hex(c.template)).toBe(c.signature)
  })
})
