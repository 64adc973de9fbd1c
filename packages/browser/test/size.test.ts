import { describe, expect, it } from 'vitest'
import { BUNDLE_BUDGET_BYTES, buildBundle, describeSize } from './bundle.js'

describe('browser bundle size', () => {
  it('keeps createBrowserSieve (sampler + sender, OTLP encoder included) within the 8 KB budget, without the wire definitions', async () => {
    const bundle = await buildBundle()
    console.log(describeSize(bundle, 0))
    expect(bundle.gzipBytes).toBeLessThanOrEqual(BUNDLE_BUDGET_BYTES)
    // The default body format is OTLP: its encoder is part of what is measured.
    expect(bundle.modules.some((m) => m.path.endsWith('browser/src/otlp.ts'))).toBe(true)
    // The page checks policies with its own smaller check (page-policy.ts, tested against parsePolicy):
    // core's definitions, with their JSON Schema, stay out.
    expect(bundle.modules.some((m) => /core\/src\/(check|\w+-contract)\.ts$/.test(m.path))).toBe(false)
  })
})
