// `pnpm --filter @logsieve/browser size`: the min+gzip size of the browser bundle against its budget.
// Exits with 1 when the sampler + sender bundle is over the 8 KB budget (as CI does). Lists every module.
import { BUNDLE_BUDGET_BYTES, buildBundle, describeSize, FULL_ENTRY, OPT_IN_ENTRY } from './bundle.js'

const sieve = await buildBundle()
const optIn = await buildBundle(OPT_IN_ENTRY)
const full = await buildBundle(FULL_ENTRY)
console.log(`createBrowserSieve (sampler + sender): ${describeSize(sieve, sieve.modules.length)}`)
console.log(`with the opt-in traceparent on fetch (@logsieve/browser/trace): ${describeSize(optIn, 0)}`)
console.log(`every export: ${describeSize(full, 0)}`)
if (sieve.gzipBytes > BUNDLE_BUDGET_BYTES) process.exitCode = 1
