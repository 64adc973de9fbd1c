// The workspace's packages as they would be published: built with `pnpm build` (tsup), packed with
// `pnpm pack` (which applies publishConfig and turns workspace:* into versions).
import { execFile } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)
export const repoRoot = join(import.meta.dirname, '..', '..')

export interface WorkspacePackage {
  dir: string
  name: string
  /** Entry points as `@logsieve/x` and `@logsieve/x/sub`, from publishConfig.exports. */
  entries: string[]
  /** The workspace's own exports map (subpath → TypeScript source), conditions resolved as Node's. */
  sourceExports: Record<string, string>
}

export function workspacePackages(): WorkspacePackage[] {
  const packages = join(repoRoot, 'packages')
  return readdirSync(packages).map((d) => {
    const dir = join(packages, d)
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      name: string
      exports: Record<string, string | { default: string }>
      publishConfig: { exports: Record<string, unknown> }
    }
    const entries = Object.keys(pkg.publishConfig.exports).map((k) =>
      k === '.' ? pkg.name : `${pkg.name}/${k.slice(2)}`,
    )
    const sourceExports = Object.fromEntries(
      Object.entries(pkg.exports).map(([k, v]) => [k, typeof v === 'string' ? v : v.default]),
    )
    return { dir, name: pkg.name, entries, sourceExports }
  })
}

/** `pnpm build` at the root, then one tarball per package in `dest`; returns name → tarball path. */
export async function buildAndPack(dest: string): Promise<Map<string, string>> {
  await run('pnpm', ['build'], { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 })
  const tarballs = new Map<string, string>()
  await Promise.all(
    workspacePackages().map(async (p) => {
      const { stdout } = await run('pnpm', ['pack', '--pack-destination', dest], { cwd: p.dir })
      const tarball = stdout.trim().split('\n').at(-1)!
      tarballs.set(p.name, tarball)
    }),
  )
  return tarballs
}
