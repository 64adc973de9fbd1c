// Bundles the CLI once per test run. Spawning the TypeScript source through tsx costs about a second of
// start-up per process; the bundle is what a published package runs (dist/), and starts in a fraction.
// The bin shim itself is still exercised by test/bin.test.ts.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import type { TestProject } from 'vitest/node'

export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'logsieve-cli-bundle-'))
  const outfile = join(dir, 'cli.mjs')
  await build({
    entryPoints: [fileURLToPath(new URL('../src/cli.ts', import.meta.url))],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
    // Bundled CommonJS dependencies may call require(); give the ESM bundle one.
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
  })
  project.provide('cliBundle', outfile)
  return () => rmSync(dir, { recursive: true, force: true })
}

declare module 'vitest' {
  export interface ProvidedContext {
    cliBundle: string
  }
}
