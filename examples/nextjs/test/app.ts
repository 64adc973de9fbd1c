// The example laid out as an app that installed @logsieve/* from the registry: each package built by
// its tsup config into the layout its publishConfig describes, next, react and pino from this example's
// own install. Inside the workspace Next.js would read the packages' TypeScript sources instead, which
// no user has.
import { execFile } from 'node:child_process'
import { cp, mkdir, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)
const example = join(import.meta.dirname, '..')
const packages = join(example, '..', '..', 'packages')
/** Inside the workspace, so the bundler's root (the folder of pnpm-lock.yaml) holds every symlink target. */
export const appDir = join(example, '.test-app')
/** The `next dev` test's own copy: it edits files while the `next start` test runs from appDir. */
export const devAppDir = join(example, '.test-app-dev')
/** The example's own `next` (a dev dependency): tests skip when it is not installed. */
export const nextBin = join(example, 'node_modules', 'next', 'dist', 'bin', 'next')
/** The app's own dependencies, from this example's install. */
const APP_DEPENDENCIES = ['next', 'react', 'react-dom', 'pino', '@types/react']
const LOGSIEVE = ['core', 'node', 'pino']

export async function layOutApp(dir = appDir): Promise<void> {
  await rm(dir, { recursive: true, force: true })
  const modules = join(dir, 'node_modules')
  await mkdir(join(modules, '@logsieve'), { recursive: true })
  await cp(join(example, 'src'), join(dir, 'src'), { recursive: true })
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }))
  await writeFile(join(dir, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2))
  await writeFile(join(dir, 'next.config.mjs'), NEXT_CONFIG)
  for (const [file, text] of Object.entries(FIXTURES)) {
    await mkdir(join(dir, file, '..'), { recursive: true })
    await writeFile(join(dir, file), text)
  }
  for (const name of APP_DEPENDENCIES) await link(join(example, 'node_modules', name), join(modules, name))
  await Promise.all(LOGSIEVE.map((name) => installBuilt(name, modules)))
}

async function installBuilt(name: string, modules: string): Promise<void> {
  const source = join(packages, name)
  const target = join(modules, '@logsieve', name)
  await run('pnpm', ['exec', 'tsup', '--out-dir', join(target, 'dist'), '--no-dts', '--no-sourcemap'], {
    cwd: source,
  })
  const pkg = JSON.parse(await readFile(join(source, 'package.json'), 'utf8')) as Record<string, unknown> & {
    publishConfig?: Record<string, unknown>
    dependencies?: Record<string, string>
  }
  const { publishConfig, devDependencies: _, ...published } = pkg
  await writeFile(join(target, 'package.json'), JSON.stringify({ ...published, ...publishConfig }))
  for (const dep of Object.keys(pkg.dependencies ?? {}))
    if (!dep.startsWith('@logsieve/')) await link(join(source, 'node_modules', dep), join(modules, dep))
}

async function link(from: string, to: string): Promise<void> {
  await mkdir(join(to, '..'), { recursive: true })
  await symlink(await realpath(from), to).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error
  })
}

const NEXT_CONFIG = `export default {
  // The repository's tsc checks these files already; Next.js's own check would add ~15 s to the build.
  typescript: { ignoreBuildErrors: true },
  // Writing the build cache costs ~20 s, and every test run builds afresh.
  experimental: { turbopackFileSystemCacheForBuild: false },
}
`

/** Files the test adds to the example (plain JavaScript: the repository's tsc does not check them). */
const FIXTURES: Record<string, string> = {
  // An edge route: Next.js then builds instrumentation.ts for the edge runtime too. It imports the SDK,
  // which the edge runtime cannot run: `?sieve` makes it try.
  'src/app/api/edge/route.js': `import { createSieve } from '@logsieve/node'
export const runtime = 'edge'
export function GET(request) {
  if (new URL(request.url).searchParams.has('sieve')) createSieve({ service: 'edge' })
  return Response.json({ ok: true })
}
`,
  // A server component that throws, under the root layout every page needs.
  'src/app/layout.js': `import { createElement } from 'react'
export default function RootLayout({ children }) {
  return createElement('html', null, createElement('body', null, children))
}
`,
  'src/app/broken/page.js': `export const dynamic = 'force-dynamic'
export default function Broken() {
  throw new Error('inventory service timed out')
}
`,
}

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    lib: ['dom', 'dom.iterable', 'esnext'],
    module: 'esnext',
    moduleResolution: 'bundler',
    jsx: 'react-jsx',
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    isolatedModules: true,
  },
  include: ['src/**/*.ts'],
}
