// The server image, checked without a Docker engine: the Dockerfile is parsed and held to its promises
// (non-root, health check, port, /data volume, files it needs present and not docker-ignored), and the
// health check command itself is run against real HTTP servers.
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const read = (p: string) => readFileSync(resolve(repoRoot, p), 'utf8')

interface Instruction {
  op: string
  args: string
  line: number
}
interface Stage {
  from: string
  name: string | undefined
  instructions: Instruction[]
}

/** Dockerfile → stages of instructions: comments dropped, `\` continuations joined, ARG defaults applied to FROM. */
function parseDockerfile(text: string): { args: Map<string, string>; stages: Stage[] } {
  const args = new Map<string, string>()
  const stages: Stage[] = []
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const start = i
    let line = lines[i]!.trim()
    if (line === '' || line.startsWith('#')) continue
    while (line.endsWith('\\') && i + 1 < lines.length) {
      line = line.slice(0, -1)
      const next = lines[++i]!.trim()
      if (!next.startsWith('#')) line += ` ${next}`
    }
    const m = /^(\S+)\s*(.*)$/.exec(line)!
    const op = m[1]!.toUpperCase()
    const rest = m[2]!.trim()
    if (op === 'FROM') {
      const [image = '', , as] = rest.split(/\s+/)
      const from = image.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a, b) => args.get(a ?? b) ?? '')
      stages.push({ from, name: as, instructions: [] })
    } else if (op === 'ARG' && stages.length === 0) {
      const [k, v = ''] = rest.split('=')
      args.set(k!, v)
    } else {
      stages.at(-1)?.instructions.push({ op, args: rest, line: start + 1 })
    }
  }
  return { args, stages }
}

/** A .dockerignore pattern as a RegExp over repo-relative paths (a match also ignores everything below). */
function ignoreMatcher(text: string): (path: string) => boolean {
  const res = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#') && !l.startsWith('!'))
    .map((p) => {
      const body = p
        .replace(/^\//, '')
        .split('**/')
        .map((seg) => seg.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*'))
        .join('(?:.*/)?')
      return new RegExp(`^${body}(?:/.*)?$`)
    })
  return (path) => res.some((r) => r.test(path))
}

const all = (stage: Stage, op: string) => stage.instructions.filter((i) => i.op === op)

/** Every broken promise of the Dockerfile, as readable problems (empty: all good). */
function dockerfileProblems(text: string, dockerignore: string): string[] {
  const problems: string[] = []
  const { args, stages } = parseDockerfile(text)
  const ignored = ignoreMatcher(dockerignore)
  if (stages.length < 2) problems.push('expected a multi-stage build')
  const final = stages.at(-1)
  if (!final) return ['no FROM']
  for (const s of stages) {
    if (!/^node:20(\.\d+)*-(bookworm-)?slim$/.test(s.from))
      problems.push(`stage base ${s.from} is not node:20 slim`)
  }
  const user = all(final, 'USER').at(-1)?.args
  if (!user || /^(root|0)(:|$)/.test(user)) problems.push(`final stage runs as ${user ?? 'root (no USER)'}`)
  const health = all(final, 'HEALTHCHECK').at(-1)?.args ?? ''
  if (!/CMD\s+\[\s*"node"/.test(health)) problems.push('HEALTHCHECK must run node (slim images have no curl)')
  if (!health.includes('/health')) problems.push('HEALTHCHECK must ask /health')
  const expose = all(final, 'EXPOSE').flatMap((i) => i.args.split(/\s+/))
  if (!expose.includes('7070')) problems.push(`EXPOSE ${expose.join(' ') || 'missing'}: want 7070`)
  const env = all(final, 'ENV')
    .map((i) => i.args)
    .join(' ')
  for (const kv of ['LOGSIEVE_DB=/data/logsieve.db', 'LOGSIEVE_HOST=0.0.0.0', 'LOGSIEVE_PORT=7070']) {
    if (!env.split(/\s+/).includes(kv)) problems.push(`final stage lacks ENV ${kv}`)
  }
  if (!all(final, 'VOLUME').some((i) => i.args.includes('/data'))) problems.push('no VOLUME for /data')
  const pnpm = args.get('PNPM_VERSION') ?? /ARG PNPM_VERSION=(\S+)/.exec(text)?.[1]
  const pm = (JSON.parse(read('package.json')) as { packageManager?: string }).packageManager
  if (pm !== `pnpm@${pnpm}`) problems.push(`PNPM_VERSION ${pnpm} differs from packageManager ${pm}`)
  for (const s of stages) {
    for (const copy of all(s, 'COPY')) {
      if (copy.args.includes('--from=')) continue
      const parts = copy.args.split(/\s+/).filter((p) => !p.startsWith('--'))
      for (const src of parts.slice(0, -1)) {
        if (src === '.') continue
        if (!existsSync(resolve(repoRoot, src)))
          problems.push(`line ${copy.line}: COPY source ${src} is missing`)
        if (ignored(src)) problems.push(`line ${copy.line}: COPY source ${src} is in .dockerignore`)
      }
    }
    // Files the build stage reads from the copied repository (/repo/...) must exist and reach the context.
    for (const run of all(s, 'RUN')) {
      for (const [, p] of run.args.matchAll(/\/repo\/([\w./-]+\.\w+)/g)) {
        if (p!.startsWith('node_modules/')) continue // made by the install step, not copied
        if (!existsSync(resolve(repoRoot, p!))) problems.push(`line ${run.line}: ${p} is missing`)
        if (ignored(p!)) problems.push(`line ${run.line}: ${p} is in .dockerignore`)
      }
    }
  }
  const cmd = all(final, 'CMD').at(-1)?.args ?? ''
  if (!cmd.includes('/app/dist/logsieve-server.js'))
    problems.push(`CMD ${cmd} does not start the bundled bin`)
  return problems
}

const dockerfile = read('Dockerfile')
const dockerignore = read('.dockerignore')

describe('Dockerfile', () => {
  it('keeps its promises: node 20 slim, non-root, health check, port, /data, present inputs', () => {
    expect(dockerfileProblems(dockerfile, dockerignore)).toEqual([])
  })

  it('reports a root user, a missing health check and a missing COPY source', () => {
    const broken = dockerfile
      .replace(/^USER .*$/m, 'USER root')
      .replace(/^HEALTHCHECK[\s\S]*?\/health[^\n]*\n/m, '')
      .replace('COPY pnpm-lock.yaml', 'COPY pnpm-lock.yml')
    const problems = dockerfileProblems(broken, dockerignore)
    expect(problems.some((p) => p.includes('runs as root'))).toBe(true)
    expect(problems.some((p) => p.includes('HEALTHCHECK must run node'))).toBe(true)
    expect(problems.some((p) => p.includes('pnpm-lock.yml is missing'))).toBe(true)
  })

  it('reports inputs hidden by .dockerignore', () => {
    const problems = dockerfileProblems(dockerfile, `${dockerignore}\ndeploy\n`)
    expect(problems.some((p) => p.includes('deploy/server/tsup.config.ts is in .dockerignore'))).toBe(true)
  })

  it('bundles the server bin that the package really has', () => {
    const config = read('deploy/server/tsup.config.ts')
    const entry = /'logsieve-server':\s*'([^']+)'/.exec(config)?.[1]
    expect(entry).toBeDefined()
    expect(existsSync(resolve(repoRoot, 'packages/server', entry!))).toBe(true)
  })

  it('.dockerignore keeps dependencies and local state out of the context', () => {
    const ignored = ignoreMatcher(dockerignore)
    for (const p of ['node_modules/x', 'packages/server/node_modules/x', '.git/HEAD', 'a/b/logsieve.db']) {
      expect(ignored(p), p).toBe(true)
    }
    for (const p of [
      'package.json',
      'pnpm-lock.yaml',
      'packages/server/src/config.ts',
      'packages/core/src/index.ts',
    ]) {
      expect(ignored(p), p).toBe(false)
    }
  })
})

describe('the HEALTHCHECK command', () => {
  const servers: Server[] = []
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))))
  })

  const script = (() => {
    const health = parseDockerfile(dockerfile)
      .stages.at(-1)!
      .instructions.find((i) => i.op === 'HEALTHCHECK')!
    const json = health.args.slice(health.args.indexOf('['))
    const argv = JSON.parse(json) as string[]
    expect(argv.slice(0, 2)).toEqual(['node', '-e'])
    return argv[2]!
  })()

  async function serve(status: number): Promise<number> {
    const server = createServer((req, res) => {
      res.statusCode = req.url === '/health' ? status : 404
      res.end('{}')
    })
    servers.push(server)
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    return (server.address() as AddressInfo).port
  }

  const run = (port: number) =>
    new Promise<number>((done) => {
      const env = { ...process.env, LOGSIEVE_PORT: String(port) }
      execFile(process.execPath, ['-e', script], { env }, (err) => done(err ? (err.code as number) : 0))
    })

  // Three node processes in a row: on a loaded 2-core machine that can take longer than vitest's 5 s.
  it('exits 0 when /health answers 200 and 1 when it answers 503 or nothing listens', {
    timeout: 30_000,
  }, async () => {
    expect(await run(await serve(200))).toBe(0)
    expect(await run(await serve(503))).toBe(1)
    const closed = await serve(200)
    await new Promise((r) => servers.pop()!.close(r))
    expect(await run(closed)).toBe(1)
  })
})

describe('the image entry point', () => {
  let dir: string | undefined
  let server: ChildProcess | undefined
  afterEach(() => {
    server?.kill('SIGKILL')
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  const exec = (file: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv }) =>
    new Promise<{ code: number; output: string }>((done) => {
      execFile(file, args, options, (err, stdout, stderr) =>
        done({ code: err ? Number(err.code ?? 1) : 0, output: stdout + stderr }),
      )
    })

  it('bundles with the image config, boots on SQLite, passes the HEALTHCHECK and stops on SIGTERM', async () => {
    dir = mkdtempSync(join(tmpdir(), 'logsieve-image-'))
    // The build stage's bundle step, into a temp dir whose node_modules stands in for `pnpm deploy --prod`.
    const built = await exec(
      resolve(repoRoot, 'node_modules/.bin/tsup'),
      ['--config', resolve(repoRoot, 'deploy/server/tsup.config.ts'), '--out-dir', join(dir, 'dist')],
      { cwd: resolve(repoRoot, 'packages/server') },
    )
    expect(built.code, built.output).toBe(0)
    symlinkSync(resolve(repoRoot, 'packages/server/node_modules'), join(dir, 'node_modules'), 'dir')

    const env = {
      ...process.env,
      LOGSIEVE_HOST: '127.0.0.1',
      LOGSIEVE_PORT: '0',
      LOGSIEVE_DB: join(dir, 'data/logsieve.db'),
    }
    server = spawn(process.execPath, [join(dir, 'dist/logsieve-server.js')], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    const port = await new Promise<number>((done, fail) => {
      server!.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString()
        const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output)
        if (m) done(Number(m[1]))
      })
      server!.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()))
      server!.once('exit', (code) => fail(new Error(`server exited with ${code}: ${output}`)))
    })
    expect(output).toContain('Created the first admin key')
    expect(existsSync(join(dir, 'data/logsieve.db'))).toBe(true)

    const health = parseDockerfile(dockerfile)
      .stages.at(-1)!
      .instructions.find((i) => i.op === 'HEALTHCHECK')!
    const script = (JSON.parse(health.args.slice(health.args.indexOf('['))) as string[])[2]!
    const check = await exec(process.execPath, ['-e', script], {
      env: { ...process.env, LOGSIEVE_PORT: String(port) },
    })
    expect(check.code).toBe(0)

    const exited = new Promise<number | null>((done) => server!.once('exit', (code) => done(code)))
    server.kill('SIGTERM')
    expect(await exited).toBe(0)
    server = undefined
  }, 60_000)
})
