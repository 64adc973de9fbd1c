// Browser bundle size (sampler + sender, min+gzip) as a ratio of its 8 KB budget, built in this run.
import {
  BUNDLE_BUDGET_BYTES,
  buildBundle,
  describeSize,
  FULL_ENTRY,
  OPT_IN_ENTRY,
} from '../packages/browser/test/bundle.js'

export default async function (): Promise<void> {
  const sieve = await buildBundle()
  const optIn = await buildBundle(OPT_IN_ENTRY)
  const full = await buildBundle(FULL_ENTRY)
  console.log(`createBrowserSieve bundle: ${describeSize(sieve)}`)
  console.log(
    `ratio to the 8 KB budget: ${(sieve.gzipBytes / BUNDLE_BUDGET_BYTES).toFixed(3)} (≤ 1.000 passes)`,
  )
  console.log(
    `with traceparent on fetch (opt-in): ${optIn.gzipBytes} B min+gzip, ${(optIn.gzipBytes / BUNDLE_BUDGET_BYTES).toFixed(3)} of the budget`,
  )
  console.log(
    `every export: ${full.gzipBytes} B min+gzip, ${(full.gzipBytes / BUNDLE_BUDGET_BYTES).toFixed(3)} of the budget`,
  )
}
