import { describe, expect, it } from 'vitest'
import { BUNDLE_BUDGET_BYTES, BUNDLE_CEILING_BYTES, buildBundle, describeSize } from './bundle.js'

describe('browser bundle size', () => {
  it('keeps createBrowserSieve (sampler + sender) under the enforced ceiling, without zod', async () => {
    const bundle = await buildBundle()
    console.log(describeSize(bundle, 0))
    expect(bundle.gzipBytes).toBeLessThanOrEqual(BUNDLE_CEILING_BYTES)
    expect(BUNDLE_CEILING_BYTES).toBeGreaterThanOrEqual(BUNDLE_BUDGET_BYTES)
    // zod's schema setup cannot be tree-shaken: one stray import of schema.ts doubles the bundle.
    expect(bundle.modules.some((m) => m.path.includes('zod'))).toBe(false)
  })
})
