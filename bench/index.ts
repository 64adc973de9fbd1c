// `pnpm bench`: runs every bench/*.bench.ts in name order (or those named on the command line).
// Each file's default export runs its measurements and prints ratios against a baseline of the same run.
import { readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const wanted = process.argv.slice(2)
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)))
  .sort()

for (const file of files) {
  const mod = (await import(pathToFileURL(join(here, file)).href)) as { default: () => Promise<void> }
  console.log(`\n## ${file.replace('.bench.ts', '')}\n`)
  await mod.default()
}
