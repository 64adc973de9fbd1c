// Every ```ts / ```typescript block in docs/*.md, README.md and packages/*/README.md is type-checked against the real packages
// (```ts no-check opts a block out; see docs/README.md). Blocks are written to a gitignored .docs-check/
// folder at the root whose node_modules links every workspace package and every dependency they have, so
// imports resolve the way they do for a user who installed the package.
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { basename, dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { afterAll, describe, expect, it } from 'vitest'

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..')
// One folder per run: the working tree is shared, and several test runs may check the docs at once.
const checkDir = join(repoRoot, '.docs-check', `${process.pid}-${Date.now().toString(36)}`)

interface Block {
  doc: string
  /** 1-based line of the first code line in the markdown file. */
  line: number
  code: string
}

/** The fenced ```ts / ```typescript blocks of a markdown text, minus those tagged `no-check`. */
function extractBlocks(doc: string, text: string): Block[] {
  const blocks: Block[] = []
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*(ts|typescript)\b(.*)$/.exec(lines[i]!)
    if (!open) continue
    const fence = open[2]!
    const skip = /\bno-check\b/.test(open[4]!)
    const start = i + 1
    let end = start
    while (end < lines.length && !lines[end]!.trim().startsWith(fence)) end++
    if (!skip) blocks.push({ doc, line: start + 1, code: lines.slice(start, end).join('\n') })
    i = end
  }
  return blocks
}

/** Link workspace packages and their dependencies into .docs-check/node_modules (first one found wins). */
function linkModules(): void {
  const target = join(checkDir, 'node_modules')
  mkdirSync(join(target, '@logsieve'), { recursive: true })
  const link = (from: string, name: string) => {
    const to = join(target, name)
    if (existsSync(to) || name === '.pnpm' || name.startsWith('.')) return
    mkdirSync(dirname(to), { recursive: true })
    symlinkSync(from, to, 'dir')
  }
  const workspaces = ['packages', 'examples'].flatMap((d) =>
    existsSync(join(repoRoot, d)) ? readdirSync(join(repoRoot, d)).map((p) => join(repoRoot, d, p)) : [],
  )
  for (const dir of workspaces) {
    const pkg = join(dir, 'package.json')
    if (!existsSync(pkg)) continue
    const name = (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name
    if (name?.startsWith('@logsieve/')) link(dir, name)
  }
  for (const dir of [repoRoot, ...workspaces]) {
    const modules = join(dir, 'node_modules')
    if (!existsSync(modules)) continue
    for (const entry of readdirSync(modules)) {
      if (!entry.startsWith('@')) link(join(modules, entry), entry)
      else if (lstatSync(join(modules, entry)).isDirectory()) {
        for (const sub of readdirSync(join(modules, entry)))
          link(join(modules, entry, sub), `${entry}/${sub}`)
      }
    }
  }
}

interface Failure {
  /** `docs/pino.md:42` — where in the markdown the error is. */
  where: string
  code: string
  message: string
}

/** Type-check blocks with the repository's compiler settings; one module per block. */
function checkBlocks(blocks: Block[]): Failure[] {
  rmSync(checkDir, { recursive: true, force: true })
  mkdirSync(checkDir, { recursive: true })
  linkModules()
  const files = new Map<string, Block>()
  blocks.forEach((block, n) => {
    const file = join(checkDir, `${basename(block.doc, '.md')}.${block.line}.${n}.ts`)
    // `export {}` keeps each block its own module (top-level await, no name clashes between blocks).
    writeFileSync(file, `${block.code}\nexport {}\n`)
    files.set(file, block)
  })
  const base = ts.readConfigFile(join(repoRoot, 'tsconfig.base.json'), ts.sys.readFile)
  const { options } = ts.parseJsonConfigFileContent(base.config, ts.sys, checkDir)
  const program = ts.createProgram([...files.keys()], { ...options, noEmit: true, declaration: false })
  const failures: Failure[] = []
  // Only the blocks are checked: package sources have their own type check (and checking them here is slow).
  const diagnostics = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...[...files.keys()].flatMap((file) => {
      const source = program.getSourceFile(file)!
      return [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)]
    }),
  ]
  for (const d of diagnostics) {
    const block = d.file ? files.get(resolve(d.file.fileName)) : undefined
    if (d.file && !block) continue // errors inside package sources are their own tests' business
    const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line : 0
    failures.push({
      where: block ? `${block.doc}:${block.line + line}` : 'compiler',
      code: `TS${d.code}`,
      message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
    })
  }
  return failures
}

function docFiles(): string[] {
  const docs = join(repoRoot, 'docs')
  const pages = existsSync(docs) ? readdirSync(docs).filter((f) => f.endsWith('.md')) : []
  // Each package's README is its page on the registry: its samples are held to the same check.
  const packages = readdirSync(join(repoRoot, 'packages')).map((p) => `packages/${p}/README.md`)
  return ['README.md', ...pages.map((f) => `docs/${f}`), ...packages].filter((f) =>
    existsSync(join(repoRoot, f)),
  )
}

describe('docs links', () => {
  it('every relative link in README.md and docs/*.md points at a file that exists (and an existing heading)', () => {
    const broken: string[] = []
    for (const doc of docFiles()) {
      const text = readFileSync(join(repoRoot, doc), 'utf8').replace(/```[\s\S]*?```/g, '')
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/i.test(target!) || target!.startsWith('#')) continue
        const [path, anchor] = target!.split('#') as [string, string | undefined]
        const file = resolve(repoRoot, dirname(doc), path)
        if (!existsSync(file)) {
          broken.push(`${doc}: ${target}`)
          continue
        }
        if (anchor && file.endsWith('.md')) {
          const slugs = [...readFileSync(file, 'utf8').matchAll(/^#+\s+(.+)$/gm)].map((m) => slug(m[1]!))
          if (!slugs.includes(anchor)) broken.push(`${doc}: ${target} (no such heading)`)
        }
      }
    }
    expect(broken).toEqual([])
  })
})

/** GitHub's heading anchors: lowercase, punctuation dropped, spaces to dashes. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s-]/gu, '')
    .replace(/\s/g, '-')
}

describe('docs code blocks', () => {
  afterAll(() => {
    rmSync(checkDir, { recursive: true, force: true })
    // The shared parent goes too once no other run uses it.
    if (readdirSync(dirname(checkDir)).length === 0)
      rmSync(dirname(checkDir), { recursive: true, force: true })
  })

  it('extracts ts blocks with their markdown line, skipping no-check and other languages', () => {
    const md = ['# t', '```ts', 'const a = 1', '```', '```sh', 'ls', '```', '```ts no-check', 'x', '```']
    expect(extractBlocks('x.md', md.join('\n'))).toEqual([{ doc: 'x.md', line: 3, code: 'const a = 1' }])
  })

  it('every ts block in README.md and docs/*.md type-checks against the real packages', () => {
    const blocks = docFiles().flatMap((f) => extractBlocks(f, readFileSync(join(repoRoot, f), 'utf8')))
    // A canary block with a known error proves the checker reports failures at the right line.
    const canary: Block = {
      doc: 'canary.md',
      line: 10,
      code: "import { parsePolicy } from '@logsieve/core'\nconst n: number = parsePolicy({}).ok\n",
    }
    const failures = checkBlocks([...blocks, canary])
    const [canaryFailure, ...others] = [
      ...failures.filter((f) => f.where.startsWith('canary.md')),
      ...failures.filter((f) => !f.where.startsWith('canary.md')),
    ]
    const report = others.map((f) => `${f.where} ${f.code} ${f.message}`).join('\n')
    expect(canaryFailure, report).toMatchObject({ where: 'canary.md:11', code: 'TS2322' })
    expect(others, `${others.length} failing docs blocks:\n${report}`).toEqual([])
    expect(relative(repoRoot, dirname(checkDir))).toBe('.docs-check')
  }, 120_000)
})
