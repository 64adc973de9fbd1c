// The page stats table with the core sampler counting into it; windows are checked with the server's
// own stats-batch definition (parseStatsBatch).
import { computeSignature, createSamplerWith, parseStatsBatch } from '@logsieve/core'
import { describe, expect, it } from 'vitest'
import { createPageStats, type PageWindow } from './page-stats.js'

const batchOf = (w: PageWindow) => ({
  sdk: { name: '@logsieve/browser', version: '0.1.0' },
  service: 'shop-web',
  environment: 'prod',
  instance: 'browser/test',
  policyVersion: 0,
  ...w,
})

describe('createPageStats', () => {
  it('counts every line the sampler decides, per signature and level, as a valid stats batch', () => {
    const stats = createPageStats()
    const sampler = createSamplerWith(stats)
    for (let i = 0; i < 5; i++) sampler.decide('info', `cart ${i} updated`)
    sampler.decide('error', 'cart 7 updated')
    const w = stats.take()
    const parsed = parseStatsBatch(batchOf(w))
    expect(parsed.ok).toBe(true)
    const sig = computeSignature('cart 1 updated').signature
    const bytes = 'cart 1 updated'.length + 64
    expect(w.patterns).toEqual([
      expect.objectContaining({ signature: sig, level: 'info', template: 'cart <*> updated', seen: 5 }),
      expect.objectContaining({ signature: sig, level: 'error', seen: 1, kept: 1, bytes, keptBytes: bytes }),
    ])
    expect(w.patterns[0]!.kept).toBe(5)
    expect(w.overflow).toEqual({ seen: 0, kept: 0, bytes: 0 })
    expect(w.window.start <= w.window.end).toBe(true)
  })

  it('sums patterns beyond its capacity in the overflow row, with exact totals', () => {
    const stats = createPageStats(2)
    const sampler = createSamplerWith(stats)
    const words = ['alpha', 'beta', 'gamma', 'delta']
    for (const w of words) for (let i = 0; i < 3; i++) sampler.decide('warn', `${w} failed`)
    const w = stats.take()
    expect(w.patterns.map((p) => p.seen)).toEqual([3, 3])
    expect(w.overflow.seen).toBe(6)
    expect(w.overflow.kept).toBe(6)
    expect(w.patterns.reduce((n, p) => n + p.seen, 0) + w.overflow.seen).toBe(12)
    expect(parseStatsBatch(batchOf(w)).ok).toBe(true)
  })

  it('starts a new window on take: old handles die and the sampler counts into new rows', () => {
    const stats = createPageStats()
    const sampler = createSamplerWith(stats)
    sampler.decide('info', 'page loaded')
    const first = stats.take()
    sampler.decide('info', 'page loaded')
    sampler.decide('info', 'page loaded')
    const second = stats.take()
    expect(first.patterns.map((p) => p.seen)).toEqual([1])
    expect(second.patterns.map((p) => p.seen)).toEqual([2])
    expect(second.window.start).toBe(first.window.end)
    expect(stats.take().patterns).toEqual([])
  })

  it('folds an unsent window back in: same rows added up, earliest start kept', () => {
    const stats = createPageStats(2)
    const sampler = createSamplerWith(stats)
    sampler.decide('info', 'page loaded')
    sampler.decide('debug', 'route changed')
    const unsent = stats.take()
    unsent.overflow = { seen: 4, kept: 1, bytes: 400 }
    sampler.decide('info', 'page loaded')
    sampler.decide('info', 'image decoded')
    stats.merge(unsent)
    const w = stats.take()
    expect(w.window.start).toBe(unsent.window.start)
    const loaded = w.patterns.find((p) => p.template === 'page loaded')!
    expect(loaded.seen).toBe(2)
    // No firstSeen: the server takes the window's start, which a page's row is never older than.
    expect(loaded.firstSeen).toBeUndefined()
    // Capacity 2: 'route changed' finds the table full and joins the overflow row.
    expect(w.patterns.map((p) => p.template).sort()).toEqual(['image decoded', 'page loaded'])
    expect(w.overflow).toEqual({ seen: 5, kept: 1 + 1, bytes: 400 + 'route changed'.length + 64 })
    expect(parseStatsBatch(batchOf(w)).ok).toBe(true)
  })

  it('keeps the estimate of every line: the page table takes no measured sizes (its sampler measures none)', () => {
    const stats = createPageStats()
    const sampler = createSamplerWith(stats)
    sampler.decide('warn', 'slow render')
    sampler.measured(500)
    // 'slow render' is 11 characters: the estimate is its length + 64 bytes, measured or not.
    expect(stats.take().patterns[0]).toMatchObject({ bytes: 75, keptBytes: 75 })
  })
})
