// The sieve an app holds shows the user API (docs/node.md, "The sieve object") and nothing else; what
// integrations need is on `integrationOf(sieve)`. Checked on the published types (TypeScript's own view
// of the package entry, what an editor's autocomplete lists) and on the object itself.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'
import { createSieve, integrationOf, type Sieve } from '../src/index.js'

const ENTRY = join(import.meta.dirname, '../src/index.ts')
const DOCS = readFileSync(join(import.meta.dirname, '../../../docs/node.md'), 'utf8')

/** The member names in the first column of the first table at or after `marker` in docs/node.md. */
function documented(marker: string): string[] {
  const lines = DOCS.slice(DOCS.indexOf(marker)).split('\n')
  const start = lines.findIndex((l) => l.startsWith('|'))
  const end = lines.findIndex((l, i) => i > start && !l.startsWith('|'))
  const rows = lines.slice(start + 2, end) // past the header and its rule
  const names = rows.flatMap((row) => [...(row.split('|')[1] ?? '').matchAll(/`(\w+)/g)].map((m) => m[1]))
  return names.map(String).sort()
}

/** The properties of an interface exported by the package entry, as TypeScript sees them. */
function membersOf(program: ts.Program, name: string): string[] {
  const checker = program.getTypeChecker()
  const entry = checker.getSymbolAtLocation(program.getSourceFile(ENTRY) as ts.SourceFile) as ts.Symbol
  const symbol = checker.getExportsOfModule(entry).find((s) => s.name === name) as ts.Symbol
  return checker
    .getDeclaredTypeOfSymbol(symbol)
    .getProperties()
    .map((p) => p.name)
    .sort()
}

describe('the sieve an app holds', () => {
  const program = ts.createProgram([ENTRY], {
    strict: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    types: ['node'],
    skipLibCheck: true,
    noEmit: true,
  })

  it('has the documented user API as its type, and integrations the documented rest', () => {
    expect(documented('## The sieve object')).toContain('setFields')
    expect(membersOf(program, 'Sieve')).toEqual(documented('## The sieve object'))
    expect(membersOf(program, 'SieveIntegration')).toEqual(documented('| `integrationOf(sieve)` member'))
  }, 60_000)

  it('brings no Express types with it (the middleware is typed by what it uses)', () => {
    const files = program.getSourceFiles().map((f) => f.fileName)
    expect(files.some((f) => f.includes('/node_modules/express/'))).toBe(false)
    expect(files.some((f) => f.includes('@types/express'))).toBe(false)
    expect(files.some((f) => f.includes('@types/node'))).toBe(true) // (the check sees dependencies' types)
  })

  it('shows the same members at run time; the integration side is reached through integrationOf only', async () => {
    const sieve: Sieve = createSieve({ service: 'surface', onDiagnostic: false })
    expect(Object.keys(sieve).sort()).toEqual(documented('## The sieve object'))
    expect(JSON.stringify(Object.keys(integrationOf(sieve)).sort())).toBe(
      JSON.stringify(documented('| `integrationOf(sieve)` member')),
    )
    expect(integrationOf(sieve).decide('info', 'order %d shipped', true).keep).toBe(true)
    expect(() => integrationOf({} as Sieve)).toThrow(TypeError)
    expect(() => integrationOf({ ...sieve })).toThrow(/createSieve/)
    await sieve.shutdown()
  })
})
