// Signature costs (DESIGN §9: format-string path ≥ 3 M/s, rendered-message path ≥ 0.5 M/s per core),
// each as a ratio against JSON.stringify of the same log record measured in the same run, and the
// bounded-cache variants: the two-generation Map of signature.ts against lru-cache (the server's).
import { createRequire } from 'node:module'
import { resolve } from 'node:path'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { GenerationCache, hash64Hex, maskMessage, templateSignature } from '../packages/core/src/index.js'
import { computeSignature } from '../packages/core/src/signature.js'

// lru-cache is a dependency of @logsieve/server; resolve it from there rather than adding it to the root.
const requireFromServer = createRequire(resolve(import.meta.dirname, '../packages/server/package.json'))
interface LruLike {
  get(key: string): number | undefined
  set(key: string, value: number): unknown
}
const { LRUCache } = requireFromServer('lru-cache') as { LRUCache: new (options: { max: number }) => LruLike }

/**
 * ns per call of each function: the best of `rounds` timed loops, the functions interleaved round by
 * round so that a burst of load on the machine hits all of them alike (the minimum filters GC and
 * scheduler noise).
 */
function measureAll<K extends string>(
  fns: Record<K, (i: number) => unknown>,
  iterations: number,
  rounds = 7,
): Record<K, number> {
  const best = {} as Record<K, number>
  let sink = 0
  for (const [name, fn] of Object.entries(fns) as Array<[K, (i: number) => unknown]>) {
    for (let i = 0; i < iterations; i++) if (fn(i)) sink++ // warm up the JIT
    best[name] = Number.POSITIVE_INFINITY
  }
  for (let r = 0; r < rounds; r++) {
    for (const [name, fn] of Object.entries(fns) as Array<[K, (i: number) => unknown]>) {
      const start = process.hrtime.bigint()
      for (let i = 0; i < iterations; i++) if (fn(i)) sink++
      best[name] = Math.min(best[name], Number(process.hrtime.bigint() - start) / iterations)
    }
  }
  if (sink < 0) console.log(sink) // keeps the calls observable
  return best
}

/** Heap growth (bytes, after a full GC) while computing signatures of `n` distinct messages. */
function heapGrowth(n: number): number {
  setFlagsFromString('--expose-gc')
  const gc = runInNewContext('gc') as () => void
  gc()
  const before = process.memoryUsage().heapUsed
  for (let i = 0; i < n; i++) computeSignature(`flood ${i} from 10.${i & 255}.0.1 key k${i.toString(36)}`)
  gc()
  return process.memoryUsage().heapUsed - before
}

const FORMATS = [
  'user %s logged in from %s',
  'request %s %s completed with %d in %dms',
  'cache miss for key %s',
  'job %s finished: %d items, %d failed',
  'connection to %s:%d reset by peer',
  'payment %s declined: %s',
  'retrying %s (attempt %d of %d)',
  'session %s expired after %ds',
]

/** Realistic rendered messages, all distinct (ids, ips, durations), so the cache never hits. */
function renderedMessages(n: number): string[] {
  const out: string[] = []
  for (let i = 0; i < n; i++) {
    const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`
    const id = (0x9e3779b1 * (i + 1)).toString(16)
    switch (i % 8) {
      case 0:
        out.push(`user ${i} logged in from ${ip}`)
        break
      case 1:
        out.push(`request GET /api/orders/${i} completed with 200 in ${i % 900}ms`)
        break
      case 2:
        out.push(`cache miss for key session:${id}`)
        break
      case 3:
        out.push(`job ${id} finished: ${i % 97} items, ${i % 5} failed`)
        break
      case 4:
        out.push(`connection to db-${i % 7}.internal.example.com:5432 reset by peer`)
        break
      case 5:
        out.push(`payment pi_${id} declined: card_declined (code=${i % 40})`)
        break
      case 6:
        out.push(`retrying upload "${id}.bin" (attempt ${i % 3} of 5) after 1.5s`)
        break
      default:
        out.push(`session ${id}-${i.toString(36)} expired after ${i % 3600}s at 2024-03-05T12:${i % 60}:00Z`)
    }
  }
  return out
}

const fmtRate = (nsPerOp: number) => `${(1000 / nsPerOp).toFixed(2)} M/s`
const ratio = (x: number, base: number) => `${(x / base).toFixed(2)}×`

export default async function (): Promise<void> {
  const N = 100_000
  const messages = renderedMessages(N)
  const repeated = messages.slice(0, 500)
  const records = messages.map((msg, i) => ({
    level: 30,
    time: 1_700_000_000_000 + i,
    pid: 1,
    hostname: 'h',
    msg,
  }))

  const m = measureAll(
    {
      stringify: (i) => JSON.stringify(records[i]).length,
      format: (i) => templateSignature(FORMATS[i & 7]).signature,
      renderedMiss: (i) => computeSignature(messages[i]).signature,
      maskOnly: (i) => maskMessage(messages[i]).length,
      hashOnly: (i) => hash64Hex(messages[i]!).length,
      renderedHit: (i) => computeSignature(repeated[i % 500]).signature,
    },
    N,
  )
  const { stringify, format, renderedMiss, maskOnly, hashOnly, renderedHit } = m
  console.log('| path | ns/message | messages/s (1 core) | vs JSON.stringify(record) |')
  console.log('|---|---|---|---|')
  const row = (name: string, ns: number) =>
    console.log(`| ${name} | ${ns.toFixed(0)} | ${fmtRate(ns)} | ${ratio(ns, stringify)} |`)
  row('JSON.stringify of the record (baseline)', stringify)
  row('templateSignature (format string, cached)', format)
  row('computeSignature, distinct messages (mask + hash + cache insert)', renderedMiss)
  row('  of which the masking scan alone', maskOnly)
  row('  of which the FNV-1a 64 hash of a message', hashOnly)
  row('computeSignature, repeated messages (cache hit)', renderedHit)
  console.log(
    `\ntargets: format path ≥ 3 M/s → ${fmtRate(format)}; rendered path ≥ 0.5 M/s → ${fmtRate(renderedMiss)}`,
  )

  // Cache variants, same capacity (2,048 live entries), same keys.
  const keys = messages
  const gen = new GenerationCache<number>(1024)
  const lru = new LRUCache({ max: 2048 })
  const hitKeys = keys.slice(0, 1500) // fits both caches: all hits after warm-up
  for (const k of hitKeys) {
    gen.set(k, 1)
    lru.set(k, 1)
  }
  const c = measureAll(
    {
      genHit: (i) => gen.get(hitKeys[i % 1500]!),
      lruHit: (i) => lru.get(hitKeys[i % 1500]!),
      genMiss: (i) => {
        const k = keys[i]!
        return gen.get(k) ?? gen.set(k, i)
      },
      lruMiss: (i) => {
        const k = keys[i]!
        return lru.get(k) ?? lru.set(k, i)
      },
    },
    N,
  )
  const { genHit, lruHit, genMiss, lruMiss } = c
  console.log('\n| cache (2,048 live entries) | hit ns/op | miss+insert ns/op |')
  console.log('|---|---|---|')
  console.log(`| two-generation Map (core) | ${genHit.toFixed(1)} | ${genMiss.toFixed(1)} |`)
  console.log(
    `| lru-cache | ${lruHit.toFixed(1)} (${ratio(lruHit, genHit)}) | ${lruMiss.toFixed(1)} (${ratio(lruMiss, genMiss)}) |`,
  )

  const grown = heapGrowth(1_000_000)
  console.log(
    `\nheap growth over 1M more distinct messages (after GC, caches already full): ${(grown / 1048576).toFixed(2)} MB (budget ≤ 10 MB)`,
  )
}
