// Pattern merging (docs/signature.md §9): the time to merge 10,000 templates of one service (target
// < 1 s on the development machine), best of a few runs, beside the time to compute their signatures.
import { computeSignature, mergeTemplates, type TemplateEntry } from '../packages/core/src/index.js'

/** Messages of 400 statements, each with a letter-only word that varies, numbers, and a few shapes. */
function serviceTemplates(n: number): TemplateEntry[] {
  const words = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet']
  const name = (k: number): string => `${words[k % 10]}${words[Math.floor(k / 10) % 10]}`
  const byKey = new Map<string, TemplateEntry>()
  for (let i = 0; byKey.size < n; i++) {
    const statement = i % 400
    const level = statement % 7 === 0 ? 'warn' : 'info'
    // Statements differ in their words and their length; each prints a name that varies.
    const head = `${name(statement)} ${name(statement * 7 + 1)} ${'stage '.repeat(statement % 5)}`
    const message = `${head}handled ${name((i * 31) % 997)} for ${i} items in ${i % 50}ms`
    const { signature, template } = computeSignature(message)
    const key = `${signature}:${level}`
    const e = byKey.get(key)
    if (e) e.count++
    else byKey.set(key, { signature, template, level, count: 1 })
  }
  return [...byKey.values()]
}

export default async function (): Promise<void> {
  const templates = serviceTemplates(10_000)
  let best = Number.POSITIVE_INFINITY
  let patterns = 0
  for (let run = 0; run < 5; run++) {
    const start = performance.now()
    patterns = mergeTemplates(templates).patterns.length
    best = Math.min(best, performance.now() - start)
  }
  const known = mergeTemplates(templates).patterns
  const start = performance.now()
  mergeTemplates(templates, { known })
  const again = performance.now() - start
  console.log('| merge | templates | patterns | ms (best of 5) |')
  console.log('|---|---|---|---|')
  console.log(`| from scratch | ${templates.length} | ${patterns} | ${best.toFixed(0)} |`)
  console.log(
    `| with the previous generation's patterns | ${templates.length} | ${known.length} | ${again.toFixed(0)} |`,
  )
  console.log(
    `\ntarget: 10,000 templates < 1000 ms → ${best < 1000 ? 'met' : 'MISSED'} (${best.toFixed(0)} ms)`,
  )
}
