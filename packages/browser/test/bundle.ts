// Builds the browser bundle in memory with esbuild (minified ESM for browsers) and measures it. Shared by
// the size check, `pnpm --filter @logsieve/browser size`, the real-browser tests and bench/browser.bench.ts.
import { relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'

/** The budget from the design (issue 5): sampler + sender, min+gzip. CI fails above it (test/size.test.ts). */
export const BUNDLE_BUDGET_BYTES = 8 * 1024

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url))
const REPO_DIR = fileURLToPath(new URL('../../..', import.meta.url))

/** What an app that calls createBrowserSieve ships: the sampler (core) and the sender (this package). */
export const SIEVE_ENTRY = "export { createBrowserSieve } from './src/index.ts'"
/** createBrowserSieve with every opt-in part: `traceparent` on fetch (`@logsieve/browser/trace`). */
export const OPT_IN_ENTRY = `${SIEVE_ENTRY}\nexport { traceFetch } from './src/trace.ts'`
/** Everything the package exports (pino integration, encoders, cache, trace), as the test page loads it. */
export const FULL_ENTRY = "export * from './src/index.ts'\nexport * from './src/trace.ts'"

export interface BundleResult {
  code: string
  minBytes: number
  gzipBytes: number
  /** Bytes each input contributes to the (minified) output, largest first. */
  modules: Array<{ path: string; bytes: number }>
}

/** Bundle `contents` (an ES module in the package folder) as one minified ESM file for browsers. */
export async function buildBundle(contents = SIEVE_ENTRY, minify = true): Promise<BundleResult> {
  const out = await build({
    stdin: { contents, resolveDir: PACKAGE_DIR, loader: 'ts', sourcefile: 'entry.ts' },
    bundle: true,
    minify,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    write: false,
    metafile: true,
    legalComments: 'none',
    absWorkingDir: PACKAGE_DIR,
  })
  const code = out.outputFiles[0]!.text
  const inputs = Object.values(out.metafile.outputs)[0]?.inputs ?? {}
  const modules = Object.entries(inputs)
    .map(([path, v]) => ({ path: relative(REPO_DIR, `${PACKAGE_DIR}/${path}`), bytes: v.bytesInOutput }))
    .filter((m) => m.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes)
  return { code, minBytes: Buffer.byteLength(code), gzipBytes: gzipSync(code, { level: 9 }).length, modules }
}

/** `8123 B min+gzip (…) = 99.2% of the 8 KB budget`, and the heaviest modules. */
export function describeSize(result: BundleResult, top = 8): string {
  const ratio = result.gzipBytes / BUNDLE_BUDGET_BYTES
  const heaviest = result.modules
    .slice(0, top)
    .map((m) => `  ${String(m.bytes).padStart(6)} B min  ${m.path}`)
    .join('\n')
  return `${result.gzipBytes} B min+gzip (${result.minBytes} B min) = ${(ratio * 100).toFixed(1)}% of the ${BUNDLE_BUDGET_BYTES / 1024} KB budget; heaviest modules:\n${heaviest}`
}
