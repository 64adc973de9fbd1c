// Issue 19, item 5: the packages as a user gets them. Every package is built and packed, the tarballs are
// installed with npm into an empty project (third-party dependencies from the registry), and there each
// entry point is imported and required, a consumer's TypeScript is checked with skipLibCheck: false under
// moduleResolution nodenext and node10, and a line goes through pino and through winston with a sieve.
import { execFile } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildAndPack, repoRoot, type WorkspacePackage, workspacePackages } from './support/packed.js'
import { requirement, titled } from './support/requirement.js'

const run = promisify(execFile)
const fixtures = join(import.meta.dirname, 'pack-consumer')
/** Kept between runs (node_modules is ignored by git): a second run downloads nothing. */
const npmCache = join(repoRoot, 'node_modules', '.cache', 'logsieve-pack-npm')
const npm = (args: string[], cwd: string) =>
  run('npm', [...args, '--cache', npmCache, '--no-audit', '--no-fund'], { cwd, maxBuffer: 64 * 1024 * 1024 })

async function registryAnswers(): Promise<boolean> {
  try {
    await run('npm', ['ping', '--cache', npmCache], { timeout: 20_000 })
    return true
  } catch {
    return false
  }
}

const skip = requirement(
  'the npm registry',
  await registryAnswers(),
  'did not answer `npm ping`',
  'run where npm can reach its registry',
)

/** The consumer installs the versions the repository tests with (root devDependencies). */
function rootRange(name: string): string {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'))
  return `${name}@${pkg.devDependencies[name]}`
}

/** `@logsieve/node/otlp`'s optional peers at the ranges it declares, as an app exporting OTLP adds them. */
function otlpPeers(): string[] {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'packages', 'node', 'package.json'), 'utf8'))
  return Object.entries(pkg.peerDependencies as Record<string, string>).map(([n, r]) => `${n}@${r}`)
}

describe.skipIf(skip)(titled('packed packages installed with npm into an empty project', skip), () => {
  const work = mkdtempSync(join(tmpdir(), 'logsieve-pack-'))
  const app = join(work, 'app')
  const packages: WorkspacePackage[] = workspacePackages()
  let installLog = ''

  beforeAll(async () => {
    const tarballs = await buildAndPack(work)
    expect([...tarballs.keys()].sort()).toEqual(packages.map((p) => p.name).sort())
    mkdirSync(app)
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true }))
    // --ignore-scripts: better-sqlite3 would compile for minutes where no prebuilt binary can be fetched;
    // the server's install with its native build is docs/server.md's procedure (pnpm 10 included).
    const { stderr } = await npm(
      [
        'install',
        '--ignore-scripts',
        ...tarballs.values(),
        rootRange('pino'),
        rootRange('winston'),
        rootRange('@types/node'),
        ...otlpPeers(),
      ],
      app,
    )
    installLog = stderr
    for (const f of readdirSync(fixtures)) cpSync(join(fixtures, f), join(app, f))
  }, 900_000)

  afterAll(() => rm(work, { recursive: true, force: true }), 120_000)

  it('installs without a peer-dependency or engine warning', () => {
    expect(installLog).not.toMatch(/peer|ERESOLVE|EBADENGINE/i)
    for (const p of packages) expect(existsSync(join(app, 'node_modules', p.name, 'README.md'))).toBe(true)
  })

  it('every entry point loads with import and with require, exporting what its source exports', async () => {
    const entries = packages.flatMap((p) => p.entries)
    const { stdout } = await run(process.execPath, ['load.mjs', ...entries], { cwd: app })
    const loaded = JSON.parse(stdout) as Record<
      string,
      { esmFile: string; cjsFile: string; esm: string[]; cjs: string[] }
    >
    for (const p of packages) {
      for (const [sub, source] of Object.entries(p.sourceExports)) {
        const spec = sub === '.' ? p.name : `${p.name}/${sub.slice(2)}`
        const expected = Object.keys(await import(join(p.dir, source))).sort()
        const got = loaded[spec]!
        expect(expected.length, spec).toBeGreaterThan(0)
        // The installed build, not the workspace: ESM and CommonJS files under the consumer's node_modules.
        expect(got.esmFile).toMatch(new RegExp(`^${app}/node_modules/${p.name}/dist/.+\\.js$`))
        expect(got.cjsFile).toMatch(new RegExp(`^${app}/node_modules/${p.name}/dist/.+\\.cjs$`))
        expect(got.esm, spec).toEqual(expected)
        expect(got.cjs, spec).toEqual(expected)
      }
    }
  }, 60_000)

  it('types check with skipLibCheck: false under moduleResolution nodenext and node10, no @types/express needed', async () => {
    const types = readdirSync(join(app, 'node_modules', '@types'))
    expect(types).not.toContain('express')
    expect(types).not.toContain('better-sqlite3')
    // Every entry point, from an ES module and a CommonJS module (nodenext picks .d.ts or .d.cts).
    const entries = packages.flatMap((p) => p.entries)
    const all = `${entries.map((e, i) => `import * as e${i} from '${e}'`).join('\n')}\nexport const all = [${entries.map((_, i) => `e${i}`).join(', ')}]\n`
    for (const ext of ['mts', 'cts', 'ts']) writeFileSync(join(app, `entries.${ext}`), all)
    // A canary: a package whose .d.ts has an error, so the check is shown to read declaration files.
    mkdirSync(join(app, 'node_modules', 'canary-broken'))
    writeFileSync(
      join(app, 'node_modules', 'canary-broken', 'index.d.ts'),
      'export declare const x: Missing\n',
    )
    writeFileSync(join(app, 'canary.ts'), "import { x } from 'canary-broken'\nexport const y = x\n")
    const configs = {
      nodenext: {
        module: 'nodenext',
        moduleResolution: 'nodenext',
        files: ['usage.ts', 'entries.mts', 'entries.cts'],
      },
      // node10 as `tsc --init` leaves it for CommonJS (esModuleInterop on): main/types and typesVersions.
      node10: { module: 'commonjs', moduleResolution: 'node10', files: ['usage.ts', 'entries.ts'] },
    }
    const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc')
    const check = async (name: string, { files, ...resolution }: (typeof configs)['node10']) => {
      const compilerOptions = {
        ...resolution,
        strict: true,
        esModuleInterop: true,
        skipLibCheck: false,
        noEmit: true,
        target: 'es2022',
        lib: ['es2023'],
        types: ['node'],
      }
      const config = `tsconfig.${name}.json`
      writeFileSync(join(app, config), JSON.stringify({ compilerOptions, files: [...files, 'canary.ts'] }))
      // Exits 2: the canary's error is expected.
      const out = await run(process.execPath, [tsc, '-p', config, '--listFiles'], { cwd: app }).then(
        (r) => r.stdout,
        (e: { stdout: string }) => e.stdout,
      )
      return { name, out, errors: out.split('\n').filter((l) => l.includes('error TS')) }
    }
    const results = await Promise.all(Object.entries(configs).map(([name, c]) => check(name, c)))
    for (const { name, out, errors } of results) {
      expect(errors, name).toEqual([
        "node_modules/canary-broken/index.d.ts(1,25): error TS2304: Cannot find name 'Missing'.",
      ])
      // The declarations read are the installed packages' own, one or more per package.
      for (const p of packages)
        expect(out, `${name}: ${p.name}`).toContain(`${app}/node_modules/${p.name}/dist/`)
    }
  }, 240_000)

  it('the bins run from the installed packages: logsieve --help, logsieve-server --help', async () => {
    const bin = (name: string) => join(app, 'node_modules', '.bin', name)
    const cli = await run(bin('logsieve'), ['--help'], { cwd: app })
    expect(cli.stdout).toMatch(/^logsieve \d+\.\d+\.\d+: /)
    const server = await run(bin('logsieve-server'), ['--help'], { cwd: app })
    expect(server.stdout).toContain('logsieve-server [--port 7070]')
  }, 60_000)

  it('a line goes through pino (ESM) and through winston (CommonJS) with a sieve', async () => {
    const pino = (await run(process.execPath, ['pino.mjs'], { cwd: app })).stdout.trim().split('\n')
    expect(pino).toHaveLength(1)
    expect(JSON.parse(pino[0]!)).toMatchObject({
      level: 30,
      order: 'o1',
      msg: 'order o1 shipped',
      signature: expect.stringMatching(/^[0-9a-f]{16}$/),
    })
    const winston = (await run(process.execPath, ['winston.cjs'], { cwd: app })).stdout.trim().split('\n')
    expect(winston).toHaveLength(1)
    expect(JSON.parse(winston[0]!)).toEqual({
      level: 'info',
      message: 'job j1 done',
      signature: expect.stringMatching(/^[0-9a-f]{16}$/),
    })
  }, 60_000)
})
