// One request context across module formats: an app that `import`s @logsieve/node and `require`s it too
// (another package of the app, @logsieve/pino's CommonJS build) must see one scope, not two copies of
// it. The package is built as published (tsup: ESM and CommonJS files), then both are loaded in one
// process.
import { execFile } from 'node:child_process'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, expect, it } from 'vitest'

const run = promisify(execFile)
const pkg = join(import.meta.dirname, '..')
const out = join(pkg, 'node_modules', '.logsieve-module-formats')

afterAll(async () => {
  await rm(out, { recursive: true, force: true })
})

beforeAll(async () => {
  await run('pnpm', ['exec', 'tsup', '--out-dir', out, '--format', 'esm,cjs', '--no-dts', '--no-sourcemap'], {
    cwd: pkg,
  })
}, 90_000)

it('a scope opened through the ESM build is the scope the CommonJS build sees', async () => {
  const script = `
    import { createRequire } from 'node:module'
    const esm = await import(${JSON.stringify(join(out, 'index.js'))})
    const cjs = createRequire(import.meta.url)(${JSON.stringify(join(out, 'index.cjs'))})
    if (esm.createSieve === cjs.createSieve) throw new Error('one copy only: the test would prove nothing')
    const sieve = esm.createSieve({ service: 'formats', cacheDir: false })
    const tp = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'
    const seen = await sieve.run({ traceparent: tp, fields: { userId: 'u1' } }, async () => {
      await new Promise((r) => setTimeout(r, 5))
      const scope = cjs.currentScope()
      return { traceId: scope?.traceId, fields: scope?.fields, traceparent: cjs.currentTraceparent()?.split('-')[1] }
    })
    process.stdout.write(JSON.stringify(seen))
    await sieve.shutdown()`
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: pkg,
  })
  expect(JSON.parse(stdout)).toEqual({
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    fields: { userId: 'u1' },
    traceparent: '4bf92f3577b34da6a3ce929d0e0e4736',
  })
}, 30_000)

it('nextSieve gives the ESM and the CommonJS build one sieve (Next.js bundles reach it either way)', async () => {
  const script = `
    import { createRequire } from 'node:module'
    const esm = await import(${JSON.stringify(join(out, 'next.js'))})
    const cjs = createRequire(import.meta.url)(${JSON.stringify(join(out, 'next.cjs'))})
    if (esm.nextSieve === cjs.nextSieve) throw new Error('one copy only: the test would prove nothing')
    const options = { service: 'formats', cacheDir: false }
    const a = esm.nextSieve(options, () => ({ error() {} }))
    const b = cjs.nextSieve({ ...options }, () => ({ error() {} }))
    process.stdout.write(JSON.stringify({ same: a.sieve === b.sieve }))
    await a.sieve.shutdown()`
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: pkg,
  })
  expect(JSON.parse(stdout)).toEqual({ same: true })
}, 30_000)
