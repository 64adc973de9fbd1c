// SDK overhead as ratios against the plain logger in the same run (DESIGN §9): a dropped pino line
// ≤ 15% of a plain kept pino line; a kept line ≤ 10% over plain pino. Same for winston.
//
// The plain logger and the logger with Logsieve run in child processes of their own, alternating (see
// runGroup): an app's loggers either all go through Logsieve or none do, and two kinds of logger in one
// process would make pino's shared hot code polymorphic and charge that to both. Kept and dropped lines
// go through one logger in one process, as in an app. Once a scope has been entered, every later line
// of the process looks it up, so the scoped group has processes of its own too.
import { fork } from 'node:child_process'
import { openSync, writeSync } from 'node:fs'
import { createRequire } from 'node:module'
import { Writable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import pino from 'pino'
import { computeSignature, templateSignature } from '../packages/core/src/index.js'
import { createSieve, type Sieve } from '../packages/node/src/index.js'
import { sievePino } from '../packages/pino/src/index.js'
import type winstonType from '../packages/winston/node_modules/winston/index.js'
import { attachSieve } from '../packages/winston/src/index.js'

// winston is a dependency of the winston package only: load that copy.
const winston = createRequire(new URL('../packages/winston/package.json', import.meta.url))(
  'winston',
) as typeof winstonType

type Variants = Record<string, (i: number) => void>
type Results = Record<string, number>

/**
 * CPU ns per call (process.cpuUsage: time this process ran, not wall time, so other processes on a
 * shared machine do not count): the lowest of `rounds` loops, variants interleaved so drift hits all
 * alike. With `drain`, each loop waits for loggers that finish a write on a later tick.
 */
async function compare(variants: Variants, iterations: number, drain = false, rounds = 15): Promise<Results> {
  const best: Results = {}
  const settle = () => new Promise((r) => setImmediate(r))
  for (const [name, fn] of Object.entries(variants)) {
    for (let i = 0; i < iterations; i++) fn(i) // warm up the JIT
    if (drain) await settle()
    best[name] = Number.POSITIVE_INFINITY
  }
  for (let r = 0; r < rounds; r++) {
    for (const [name, fn] of Object.entries(variants)) {
      const start = process.cpuUsage()
      for (let i = 0; i < iterations; i++) fn(i)
      if (drain) await settle()
      const used = process.cpuUsage(start)
      best[name] = Math.min(best[name] as number, ((used.user + used.system) * 1000) / iterations)
    }
  }
  return best
}

// One sieve and one logger per group, as in an app: the policy keeps one pattern and mutes another of
// the same shape, so kept and dropped lines run through the same integration.
const KEEP = 'order %s placed by %s'
const DROP = 'order %s dumped by %s'
/** A sampled pattern (rate 1%): its dropped lines are most lines at a deep cut, and no lane answers them. */
const SAMPLE = 'order %s sampled by %s'
const C_SAMPLE = 'order sampled'
const W_KEEP = 'order %s placed'
const W_DROP = 'order %s dumped'

function sieve(): Sieve {
  return createSieve({
    service: 'bench',
    cacheDir: false,
    policy: {
      service: 'bench',
      version: 1,
      defaults: { newPattern: { rate: 1 } },
      rules: [
        ...[DROP, W_DROP].map((t) => ({ signature: templateSignature(t).signature, rate: 0 })),
        { signature: computeSignature(C_DROP).signature, rate: 0 },
        { signature: templateSignature(SAMPLE).signature, rate: 0.01 },
        { signature: computeSignature(C_SAMPLE).signature, rate: 0.01 },
      ],
    },
  })
}

const IDS = Array.from({ length: 1000 }, (_, i) => `user-${i}`)
const BASE = { base: { pid: 1, hostname: 'h' } }
const noopPino = () => ({ write: (_s: string) => {} })
const devNullPino = () => pino.destination({ dest: '/dev/null', sync: true })
const noopStream = () => new Writable({ write: (_c, _e, cb) => cb() })
/** A real destination for winston: each line is written to /dev/null with a system call, like a file. */
const devNullStream = () => {
  const fd = openSync('/dev/null', 'w')
  return new Writable({
    write(chunk, _e, cb) {
      writeSync(fd, chunk)
      cb()
    },
  })
}

type PinoLogger = { info: (obj: object, msg: string, ...args: unknown[]) => void }
const pinoLine =
  (l: PinoLogger, format = KEEP) =>
  (i: number) =>
    l.info({ orderId: i }, format, i, IDS[i % 1000])
// pino's recommended style: the values as fields, a constant message (no interpolation to format).
const C_KEEP = 'order placed'
const C_DROP = 'order dumped'
const constLine =
  (l: PinoLogger, message = C_KEEP) =>
  (i: number) =>
    l.info({ orderId: i, user: IDS[i % 1000] }, message)
const sieved = (dest: () => object, fields = true) =>
  pino(
    sievePino(
      sieve(),
      BASE,
      fields ? undefined : { signatureField: false, traceFields: false, scopeFields: false },
    ),
    dest() as Parameters<typeof pino>[1],
  )
/** kept, dropped (a muted pattern) and sampled (a 1% pattern) lines through one logger with Logsieve. */
const sievedVariants = (sampled: PinoLogger): Variants => ({
  kept: pinoLine(sampled),
  dropped: pinoLine(sampled, DROP),
  sampled: pinoLine(sampled, SAMPLE),
})
const plainPino = (dest: () => object) => () =>
  compare({ plain: pinoLine(pino(BASE, dest() as Parameters<typeof pino>[1])) }, 20_000)

function winstonGroup(dest: () => Writable): Group['parts'] {
  const make = () =>
    winston.createLogger({
      level: 'info',
      format: winston.format.combine(winston.format.splat(), winston.format.json()),
      transports: [new winston.transports.Stream({ stream: dest() })],
    })
  return {
    plain: () => {
      const plain = make()
      return compare({ plain: (i) => plain.info(W_KEEP, i, { orderId: i }) }, 5_000, true)
    },
    sieved: () => {
      const sampled = make()
      attachSieve(sampled, sieve())
      return compare(
        {
          kept: (i) => sampled.info(W_KEEP, i, { orderId: i }),
          dropped: (i) => sampled.info(W_DROP, i, { orderId: i }),
        },
        5_000,
        true,
      )
    },
  }
}

/**
 * Each group: a title, and its plain and sieved measurements, each run in child processes of their own
 * (see runGroup).
 */
interface Group {
  title: string
  parts: { plain: () => Promise<Results>; sieved: () => Promise<Results> }
}

/** A child logger writing fields and a constant message to `dest`, plain and with Logsieve. */
function childConstGroup(title: string, dest: () => object): Group {
  return {
    title,
    parts: {
      plain: () =>
        compare(
          { plain: constLine(pino(BASE, dest() as Parameters<typeof pino>[1]).child({ svc: 'a' })) },
          20_000,
        ),
      sieved: () => {
        const l = sieved(dest).child({ svc: 'a' })
        return compare(
          { kept: constLine(l), dropped: constLine(l, C_DROP), sampled: constLine(l, C_SAMPLE) },
          20_000,
        )
      },
    },
  }
}

const GROUPS: Record<string, Group> = {
  pinoNoop: {
    title: 'pino 10 → no-op stream (pino’s own cost only)',
    parts: { plain: plainPino(noopPino), sieved: () => compare(sievedVariants(sieved(noopPino)), 20_000) },
  },
  pinoBare: {
    title: 'pino 10 → no-op stream, kept without added fields (signature/trace/scope off)',
    parts: {
      plain: plainPino(noopPino),
      sieved: () => compare({ kept: pinoLine(sieved(noopPino, false)) }, 20_000),
    },
  },
  pinoChild: {
    title: 'pino 10 child logger (`log.child({ svc })`) → no-op stream',
    parts: {
      plain: () => compare({ plain: pinoLine(pino(BASE, noopPino()).child({ svc: 'a' })) }, 20_000),
      sieved: () => compare(sievedVariants(sieved(noopPino).child({ svc: 'a' })), 20_000),
    },
  },
  pinoDevNull: {
    title: 'pino 10 → /dev/null (pino.destination, sync)',
    parts: {
      plain: plainPino(devNullPino),
      sieved: () => compare(sievedVariants(sieved(devNullPino)), 20_000),
    },
  },
  pinoChildDevNull: {
    title: 'pino 10 child logger → /dev/null (pino.destination, sync)',
    parts: {
      plain: () => compare({ plain: pinoLine(pino(BASE, devNullPino()).child({ svc: 'a' })) }, 20_000),
      sieved: () => compare(sievedVariants(sieved(devNullPino).child({ svc: 'a' })), 20_000),
    },
  },
  pinoChildConst: childConstGroup(
    'pino 10 child logger, fields and a constant message (`info({ orderId, user }, "order placed")`) → no-op stream',
    noopPino,
  ),
  pinoChildConstDevNull: childConstGroup(
    'pino 10 child logger, fields and a constant message → /dev/null (pino.destination, sync)',
    devNullPino,
  ),
  pinoScope: {
    title:
      'pino 10 inside a request scope (sieve.run: context lookup, trace fields, backfill) → no-op stream',
    parts: {
      plain: plainPino(noopPino),
      sieved: () => {
        const s = sieve()
        const variants = sievedVariants(pino(sievePino(s, BASE), noopPino()))
        return s.run({ requestId: 'r1' }, () => compare(variants, 20_000))
      },
    },
  },
  winstonNoop: { title: 'winston 3, splat + json → no-op stream', parts: winstonGroup(noopStream) },
  winstonDevNull: {
    title: 'winston 3, splat + json → /dev/null (fs.writeSync per line)',
    parts: winstonGroup(devNullStream),
  },
}

const TARGETS: Record<string, string> = { kept: '≤ 1.10', dropped: '≤ 0.15' }

/**
 * Processes per part and group: the plain and sieved processes alternate, the lowest figure counts (noise
 * on a shared machine only adds time; five, since one slow spell can cover three processes of one side).
 */
const REPEATS = 5

function runPart(name: string, part: string): Promise<Results> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--group', name, part], {
      execArgv: process.execArgv,
    })
    child.once('message', (m) => resolve(m as Results))
    child.once('error', reject)
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`bench group ${name} (${part}) exited with ${code}`))
    })
  })
}

/**
 * The plain logger and the logger with Logsieve each run in processes of their own, as in two apps: in
 * one process they would share pino's hot code, and each would pay for the other's object shapes. The
 * processes alternate so that drift on a shared machine hits both alike.
 */
async function runGroup(name: string): Promise<Results> {
  const best: Results = {}
  for (let r = 0; r < REPEATS; r++) {
    for (const part of ['plain', 'sieved']) {
      for (const [variant, ns] of Object.entries(await runPart(name, part)))
        best[variant] = Math.min(best[variant] ?? Number.POSITIVE_INFINITY, ns)
    }
  }
  return best
}

// Child side: measure one part of a group and send the figures back.
const groupArg = process.argv.indexOf('--group')
if (groupArg > 0 && process.send) {
  const group = GROUPS[process.argv[groupArg + 1] ?? '']
  const part = process.argv[groupArg + 2] === 'plain' ? 'plain' : 'sieved'
  if (group) {
    const results = await group.parts[part]()
    process.send(results, () => process.exit(0))
  }
}

export default async function (): Promise<void> {
  console.log(
    'line: pino `info({ orderId }, "order %s placed by %s", i, id)`, winston `info("order %s placed", i, { orderId })`',
  )
  console.log(
    'ratio = CPU time per line / the plain logger’s, same destination, same run (each in processes of its own)',
  )
  console.log(
    'kept: a pattern kept whole; dropped: a muted pattern (rate 0); sampled: a pattern at rate 1% (no target)\n',
  )
  // SDK_GROUPS=pinoNoop,pinoChild runs only those groups.
  const only = process.env.SDK_GROUPS?.split(',')
  for (const [name, group] of Object.entries(GROUPS)) {
    if (only !== undefined && !only.includes(name)) continue
    const r = await runGroup(name)
    const plain = r.plain ?? 1
    console.log(group.title)
    for (const [variant, ns] of Object.entries(r)) {
      const target = name.startsWith('pino') && variant in TARGETS ? `  (target ${TARGETS[variant]})` : ''
      const label = variant === 'plain' ? 'plain' : `with Logsieve, ${variant}`
      console.log(
        `  ${label.padEnd(24)} ${`${ns.toFixed(0)} ns`.padStart(8)}  ratio ${(ns / plain).toFixed(3)}${target}`,
      )
    }
  }
}
