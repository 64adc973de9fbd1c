// Startup cost of Logsieve (light to load): importing @logsieve/node and @logsieve/pino and creating a
// sieve, over importing pino alone; target ≤ 30 ms. The packages are built with their own tsup configs
// (in their folders) and laid out as an app installs them (dependencies external, `exports` from publishConfig), so what is
// timed is what `import '@logsieve/node'` loads in production. Each figure is the CPU time of a fresh
// Node process (module loading happens once per process; CPU time, not wall time, so other processes
// on a shared machine count less), the two kinds alternating.
import { execFile } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const run = promisify(execFile)
const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const ROUNDS = 15
const TARGET_MS = 30
/** Packages the pino app loads, each with the workspace packages it imports. */
const PACKAGES: Record<string, string[]> = { core: [], node: ['core'], pino: ['core', 'node'] }

/** Inside the package's node_modules: its own dependencies (zod, OTel…) resolve from there. */
const installed = (pkg: string) => join(root, 'packages', pkg, 'node_modules', '.logsieve-startup')

async function layOut(pkg: string): Promise<void> {
  const dir = installed(pkg)
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(join(dir, 'node_modules', '@logsieve'), { recursive: true })
  const manifest = JSON.parse(readFileSync(join(root, 'packages', pkg, 'package.json'), 'utf8'))
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: manifest.name, type: 'module', exports: manifest.publishConfig.exports }),
  )
  for (const dep of PACKAGES[pkg] ?? [])
    symlinkSync(installed(dep), join(dir, 'node_modules', '@logsieve', dep))
  // tsup in the package's folder: it reads that package.json to keep dependencies external.
  await run(
    'pnpm',
    ['exec', 'tsup', '--out-dir', join(dir, 'dist'), '--format', 'esm', '--no-dts', '--no-sourcemap'],
    {
      cwd: join(root, 'packages', pkg),
    },
  )
}

function script(withSieve: boolean): string {
  const sdk = withSieve
    ? `const { createSieve } = await import('@logsieve/node')
const { sievePino } = await import('@logsieve/pino')
const sieve = createSieve({ service: 'bench', cacheDir: false })
const log = pino(sievePino(sieve), { write() {} })`
    : 'const log = pino({}, { write() {} })'
  return `const t0 = process.cpuUsage()
const { default: pino } = await import('pino')
${sdk}
log.info('ready')
const t = process.cpuUsage(t0)
process.stdout.write(String((t.user + t.system) / 1000))
process.exit(0)`
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number

export default async function startup(): Promise<void> {
  for (const pkg of Object.keys(PACKAGES)) await layOut(pkg)
  // The app: a folder whose node_modules has the three packages (pino from the pino package's own).
  const app = installed('pino')
  const time = async (withSieve: boolean) =>
    Number(
      (await run(process.execPath, ['--input-type=module', '-e', script(withSieve)], { cwd: app })).stdout,
    )
  await time(false)
  await time(true)
  const a: number[] = []
  const b: number[] = []
  for (let i = 0; i < ROUNDS; i++) {
    a.push(await time(false))
    b.push(await time(true))
  }
  const added = median(b) - median(a)
  console.log(`| startup CPU ms (import + createSieve + first line), median of ${ROUNDS} processes | ms |`)
  console.log('| --- | ---: |')
  console.log(`| pino alone | ${median(a).toFixed(1)} |`)
  console.log(`| pino + @logsieve/node + @logsieve/pino + createSieve | ${median(b).toFixed(1)} |`)
  console.log(
    `| added by Logsieve | ${added.toFixed(1)} (target ≤ ${TARGET_MS}: ${added <= TARGET_MS ? 'ok' : 'OVER'}) |`,
  )
}
