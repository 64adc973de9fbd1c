// The objects a log line goes through are V8 fast objects: a dictionary-mode object makes every method
// call on it a generic lookup (~90 instructions), and a kept pino line made three such calls until the
// sampler and the stats table lost the getters in their object literals (see core's with-getter.ts).
// V8's own answer comes from a process allowed its natives syntax.
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../../..', import.meta.url))
const CORE = new URL('../../core/src/index.ts', import.meta.url).href
const NODE = new URL('../src/index.ts', import.meta.url).href

it('keeps the sampler, the stats table and the sieve fast, for every sieve of a process', () => {
  const script = `
    const fast = new Function('o', 'return %HasFastProperties(o)')
    const { createSampler, createStatsTable } = await import(${JSON.stringify(CORE)})
    const { createSieve, integrationOf } = await import(${JSON.stringify(NODE)})
    // Two of each: V8 keeps a later object of one shape fast only when its getter is the same function.
    const sieves = [1, 2].map(() => createSieve({ service: 'fast', cacheDir: false }))
    const samplers = sieves.map((s) => integrationOf(s).sampler)
    for (const s of samplers) s.decide('info', 'user %s logged in', { isFormat: true })
    const literal = (n) => ({ get x() { return n }, f() {} })
    console.log(JSON.stringify({
      sieve: sieves.every(fast),
      sampler: samplers.every(fast),
      stats: samplers.every((s) => fast(s.stats)),
      table: [createStatsTable(), createStatsTable()].every(fast),
      bareSampler: [createSampler(), createSampler()].every(fast),
      literalWithGetter: [literal(1), literal(2)].some(fast),
    }))
    await Promise.all(sieves.map((s) => s.shutdown()))`
  const out = execFileSync(
    process.execPath,
    ['--allow-natives-syntax', '--import', 'tsx', '--input-type=module', '-e', script],
    { cwd: ROOT, encoding: 'utf8' },
  )
  // literalWithGetter is the control: should V8 ever keep such literals fast, this says so.
  expect(JSON.parse(out)).toEqual({
    sieve: true,
    sampler: true,
    stats: true,
    table: true,
    bareSampler: true,
    literalWithGetter: false,
  })
})
