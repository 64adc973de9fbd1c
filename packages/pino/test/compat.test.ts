// Drop-in compatibility against real pino 8, 9 and 10: every scenario runs once with plain pino and once
// through sievePino with a keep-everything policy and Logsieve's fields off, and must observe exactly the
// same (lines byte for byte but the time; streams' metadata; hook, mixin and diagnostics-channel `this`;
// errors thrown). With fields on, lines differ only by the documented fields, never by a duplicate key.
import diagnostics from 'node:diagnostics_channel'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSieve } from '@logsieve/node'
import pino10 from 'pino'
import pino8 from 'pino8'
import pino9 from 'pino9'
import { afterAll, describe, expect, it } from 'vitest'
import { sievePino } from '../src/index.js'

// biome-ignore lint/suspicious/noExplicitAny: the three majors' types differ; scenarios use their shared API
type Pino = any
// biome-ignore lint/suspicious/noExplicitAny: a pino logger of any of the three majors
type Logger = any
type Wrap = (options: object) => object
type Observation = unknown[]

const OFF = { signatureField: false, traceFields: false, scopeFields: false } as const
const ALL = { signatureField: 'always', traceFields: 'always', scopeFields: true } as const
const DOCUMENTED = new Set([
  'signature',
  'sample_rate',
  'trace_id',
  'span_id',
  'request_id',
  'backfilled',
  'logged_at',
])

function keepAll() {
  return createSieve({
    service: 'compat',
    cacheDir: false,
    policy: { service: 'compat', version: 1, defaults: { newPattern: { rate: 1 }, floorPerMinute: 0 } },
  })
}
const plain: Wrap = (o) => o
const sieved =
  (fields: object): Wrap =>
  (o) =>
    sievePino(keepAll(), o, fields)

const dir = mkdtempSync(join(tmpdir(), 'logsieve-compat-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** The line without its time (the only thing two runs cannot share). */
const untimed = (line: string) => line.replace(/"time":\d+,?/, '')

function capture() {
  const lines: string[] = []
  return { lines, stream: { write: (s: string) => void lines.push(untimed(s)) } }
}

/** An error whose stack does not depend on who ran the scenario. */
function err(message: string): Error {
  const e = new Error(message)
  e.stack = `Error: ${message}\n    at scenario`
  return e
}

/** Log the same calls twice: a level's first line comes through pino's hook, later ones through the level method. */
function twice(fn: () => void): void {
  fn()
  fn()
}

// Each scenario builds its loggers from (pino, wrap) and returns what an app could observe.
const scenarios: Record<string, (pino: Pino, wrap: Wrap) => Observation | Promise<Observation>> = {
  'call shapes and child loggers'(pino, wrap) {
    const { lines, stream } = capture()
    const log = pino(wrap({ level: 'debug', base: { pid: 1, hostname: 'h' } }), stream)
    const child = log.child({ component: 'db' }, { msgPrefix: '[db] ' })
    const grand = child.child({ shard: 3 })
    twice(() => {
      log.info('hello %s, %d times', 'you', 3)
      log.info({ a: 1 }, 'with %j', { b: 2 })
      log.debug({ event: 'cart.updated', items: 2 })
      log.warn(err('warned'))
      child.info({ q: 'select' }, 'query %s', 'ok')
      grand.error({ err: err('lost') }, 'shard down')
      log.info(null)
      log.info(42)
      log.info({ msg: 'from msg' })
      log.setBindings({ region: 'eu' })
    })
    return [lines, log.bindings(), child.bindings(), grand.bindings()]
  },
  'metadata streams and multistream'(pino, wrap) {
    const seen: unknown[] = []
    let log: Logger
    let child: Logger
    const meta = (name: string) => ({
      [Symbol.for('pino.metadata')]: true,
      write(this: Record<string, unknown>, s: string) {
        const who = this.lastLogger === log ? 'log' : this.lastLogger === child ? 'child' : 'other'
        seen.push([name, untimed(s), who, this.lastLevel, this.lastMsg, JSON.stringify(this.lastObj)])
      },
    })
    log = pino(wrap({ level: 'info' }), meta('direct'))
    child = log.child({ c: 1 })
    twice(() => {
      log.info({ k: 1 }, 'root %s', 'line')
      child.warn('child line')
    })
    const multi = pino(
      wrap({ level: 'info' }),
      pino.multistream([{ stream: meta('multi-info') }, { level: 'warn', stream: meta('multi-warn') }]),
    )
    log = multi
    child = multi.child({ c: 2 })
    twice(() => {
      multi.info('multi info')
      child.error('multi error')
    })
    return seen
  },
  'hooks.logMethod sees the logger'(pino, wrap) {
    const { lines, stream } = capture()
    const seen: unknown[] = []
    let log: Logger
    const made: Logger[] = []
    const logMethod = function (
      this: Logger,
      args: unknown[],
      method: (...a: unknown[]) => void,
      level: number,
    ) {
      seen.push([this === log, JSON.stringify(this.bindings()), level, args.length])
      made.push(this.child({ madeInHook: true }))
      method.apply(this, args)
    }
    log = pino(wrap({ hooks: { logMethod } }), stream)
    twice(() => log.info({ a: 1 }, 'hooked %s', 'line'))
    return [seen, lines, made.map((c) => JSON.stringify(c.bindings()))]
  },
  'errors of the write itself, past the measured lines'(pino, wrap) {
    // Format lines past the sampler's measured ones are written straight after formatting: an error of
    // pino's own write (a serializer, the stream) must reach the caller once, the line tried once.
    const attempts: string[] = []
    const stream = {
      write(s: string) {
        attempts.push(untimed(s))
        if (s.includes('boom')) throw err('stream bug')
      },
    }
    const serializers = {
      n: (v: number) => {
        if (v === -1) throw err('serializer bug')
        return v
      },
    }
    const log = pino(wrap({ serializers, base: { pid: 1, hostname: 'h' } }), stream)
    const child = log.child({ c: 1 })
    const thrown: string[] = []
    const attempt = (fn: () => void) => {
      try {
        fn()
      } catch (error) {
        thrown.push(String(error))
      }
    }
    for (let i = 0; i < 400; i++) child.info({ n: i }, 'order %s placed by %s', i, 'u')
    attempt(() => child.info({ n: 1 }, 'order %s placed by %s', 'boom', 'u'))
    attempt(() => child.info({ n: -1 }, 'order %s placed by %s', 2, 'u'))
    attempt(() => child.info({ n: 3 }, 'order %s placed by %s', 3, 'u'))
    return [thrown, attempts.length, attempts.slice(-4)]
  },
  mixins(pino, wrap) {
    const { lines, stream } = capture()
    let thrown = ''
    try {
      pino(wrap({ mixin: 'x' }), stream)
    } catch (error) {
      thrown = String(error)
    }
    const seen: unknown[] = []
    let log: Logger
    const mixin = (obj: object, level: number, logger: unknown) => {
      seen.push([JSON.stringify(obj), level, logger === log ? 'log' : logger === child ? 'child' : 'other'])
      return { fromMixin: level }
    }
    log = pino(wrap({ mixin, mixinMergeStrategy: (o: object, m: object) => ({ ...o, ...m }) }), stream)
    const child: Logger = log.child({ c: 1 })
    twice(() => {
      log.info({ a: 1 }, 'mixed')
      child.info('child mixed')
    })
    let mixinError = ''
    const throwing = pino(
      wrap({
        mixin: () => {
          throw new Error('mixin bug')
        },
      }),
      stream,
    )
    try {
      throwing.info('never')
    } catch (error) {
      mixinError = String(error)
    }
    return [thrown, seen, lines, mixinError]
  },
  'diagnostics channel'(pino, wrap) {
    const seen: unknown[] = []
    let log: Logger
    let child: Logger
    // Each channel that carries `instance` on its own: a subscriber to any one of them sees the logger.
    for (const event of ['start', 'end']) {
      const name = `tracing:pino_asJson:${event}`
      const onEvent = (message: unknown) => {
        const { instance, arguments: args } = message as { instance: unknown; arguments: unknown[] }
        const who = instance === log ? 'log' : instance === child ? 'child' : 'other'
        seen.push([event, who, JSON.stringify(args[1])])
      }
      diagnostics.subscribe(name, onEvent)
      try {
        log = pino(wrap({}), capture().stream)
        child = log.child({ c: 1 })
        twice(() => {
          log.info('traced %s', 'line')
          child.info({ k: 1 }, 'child traced')
        })
      } finally {
        diagnostics.unsubscribe(name, onEvent)
      }
    }
    return seen
  },
  'serializers and redaction'(pino, wrap) {
    const { lines, stream } = capture()
    const log = pino(
      wrap({
        serializers: { user: (u: { id: string }) => u.id },
        redact: { paths: ['secret', 'card.number', '*.token'], censor: '***' },
      }),
      stream,
    )
    const child = log.child(
      { session: { token: 't' } },
      { serializers: { order: (o: { id: number }) => `#${o.id}` } },
    )
    twice(() => {
      log.info({ user: { id: 'u1' }, secret: 's', card: { number: '4111' } }, 'paid')
      child.info({ order: { id: 7 }, user: { id: 'u2' } }, 'ordered')
      log.error({ err: err('declined') }, 'payment failed')
    })
    return lines
  },
  'custom levels'(pino, wrap) {
    const { lines, stream } = capture()
    const log = pino(wrap({ level: 'audit', customLevels: { audit: 35 } }), stream)
    const only = pino(
      wrap({ level: 'notice', customLevels: { notice: 25, alert: 55 }, useOnlyCustomLevels: true }),
      stream,
    )
    twice(() => {
      log.audit({ who: 'a' }, 'audited %s', 'x')
      log.info('below the level')
      log.warn('above')
      only.notice('notice')
      only.alert({ n: 1 }, 'alert')
    })
    log.level = 'info'
    twice(() => log.info('after a level change'))
    return [lines, log.levels.values.audit, only.isLevelEnabled('notice')]
  },
  'formatters and keys'(pino, wrap) {
    const { lines, stream } = capture()
    const log = pino(
      wrap({
        messageKey: 'message',
        errorKey: 'error',
        nestedKey: 'payload',
        formatters: {
          level: (label: string) => ({ severity: label }),
          bindings: (b: Record<string, unknown>) => ({ host: b.hostname }),
          log: (o: object) => ({ ...o, formatted: true }),
        },
      }),
      stream,
    )
    twice(() => {
      log.info({ a: 1 }, 'formatted %s', 'line')
      log.child({ c: 1 }).warn(err('nested'))
    })
    return lines
  },
  async transports(pino, wrap) {
    const file = join(dir, `t-${Math.random().toString(36).slice(2)}.log`)
    const transport = pino.transport({ target: 'pino/file', options: { destination: file, mkdir: true } })
    const log = pino(wrap({}), transport)
    twice(() => {
      log.info({ a: 1 }, 'to the transport %s', 'line')
      log.child({ c: 1 }).error('child error')
    })
    await new Promise<void>((resolve) => {
      transport.once('close', resolve)
      transport.end()
    })
    return readFileSync(file, 'utf8').split('\n').map(untimed)
  },
}

const versions: Array<[string, Pino]> = [
  ['pino 8', pino8],
  ['pino 9', pino9],
  ['pino 10', pino10],
]

describe.each(versions)('%s: a keep-everything sieve with fields off is invisible', (_v, pino) => {
  it.each(Object.keys(scenarios))('%s', async (name) => {
    const scenario = scenarios[name] as (pino: Pino, wrap: Wrap) => Observation | Promise<Observation>
    const expected = await scenario(pino, plain)
    expect(await scenario(pino, sieved(OFF))).toEqual(expected)
    // The default fields add nothing to a line kept whole outside a request: the same again.
    expect(await scenario(pino, sieved({}))).toEqual(expected)
  })
})

/** The top-level keys of a JSON line in order, duplicates included (JSON.parse would hide them). */
function topLevelKeys(line: string): string[] {
  const keys: string[] = []
  let depth = 0
  let expectKey = false
  for (let i = 0; i < line.length; i++) {
    const c = line[i]
    if (c === '"') {
      let j = i + 1
      while (line[j] !== '"') j += line[j] === '\\' ? 2 : 1
      if (depth === 1 && expectKey) keys.push(JSON.parse(line.slice(i, j + 1)) as string)
      expectKey = false
      i = j
    } else if (c === '{' || c === '[') {
      depth++
      expectKey = c === '{' && depth === 1
    } else if (c === '}' || c === ']') depth--
    else if (c === ',' && depth === 1) expectKey = true
  }
  return keys
}

/** A line without Logsieve's documented fields. */
function withoutDocumented(line: string): Record<string, unknown> {
  const parsed = JSON.parse(line) as Record<string, unknown>
  for (const k of DOCUMENTED) delete parsed[k]
  return parsed
}

describe.each(versions)('%s: with fields on', (_v, pino) => {
  const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'
  const TP = `00-${TRACE}-00f067aa0ba902b7-01`

  it('differs from plain pino only by the documented fields, in and out of a request', async () => {
    for (const [name, scenario] of Object.entries(scenarios)) {
      if (name === 'mixins' || name === 'hooks.logMethod sees the logger') continue // compared below
      const expected = (await scenario(pino, plain)) as unknown[]
      const got = (await scenario(pino, sieved(ALL))) as unknown[]
      const flat = (o: unknown[]): string[] =>
        JSON.stringify(o)
          .match(/\{\\?"level[^\n]*?\\n/g)
          ?.map((s) => s) ?? []
      expect(flat(got).length, name).toBe(flat(expected).length)
    }
    const { lines, stream } = capture()
    const sieve = keepAll()
    const log = pino(sievePino(sieve, {}, ALL), stream)
    const plainOut = capture()
    const reference = pino({}, plainOut.stream)
    await sieve.run({ traceparent: TP, requestId: 'r-1' }, async () => {
      sieve.setFields({ userId: 'u1' })
      twice(() => log.info({ a: 1 }, 'in a request %s', 'x'))
    })
    twice(() => reference.info({ a: 1 }, 'in a request %s', 'x'))
    expect(lines.map(withoutDocumented).map((l) => ({ ...l, userId: undefined }))).toEqual(
      plainOut.lines.map((l) => ({ ...(JSON.parse(l) as object), userId: undefined })),
    )
    for (const l of lines) {
      expect(JSON.parse(l)).toMatchObject({ trace_id: TRACE, request_id: 'r-1', userId: 'u1' })
      expect(JSON.parse(l).signature).toMatch(/^[0-9a-f]{16}$/)
    }
  })

  it('never writes a key twice: the line’s own value wins', async () => {
    const { lines, stream } = capture()
    const sieve = keepAll()
    // A mixin writing trace ids as OpenTelemetry's pino instrumentation does.
    const otelLikeMixin = () => ({ trace_id: 'from-mixin', span_id: 'from-mixin', trace_flags: '01' })
    const log = pino(sievePino(sieve, {}, ALL), stream)
    const mixed = pino(sievePino(keepAll(), { mixin: otelLikeMixin }, ALL), stream)
    await sieve.run({ traceparent: TP, requestId: 'r-1' }, async () => {
      sieve.setFields({ userId: 'u1' })
      twice(() => {
        log.info({ signature: 'mine' }, 'own signature')
        log.info({ sample_rate: 3, userId: 'u2', request_id: 'mine' }, 'own fields')
        log.child({ trace_id: 'bound', signature: 'bound' }).info('bound fields')
        mixed.info('mixin fields')
        mixed.child({ c: 1 }).info({ span_id: 'merge' }, 'mixin and merge fields')
      })
    })
    expect(lines).toHaveLength(10)
    for (const l of lines) {
      const keys = topLevelKeys(l)
      expect(new Set(keys).size, l).toBe(keys.length)
    }
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(parsed[0]).toMatchObject({ signature: 'mine', trace_id: TRACE })
    expect(parsed[1]).toMatchObject({ sample_rate: 3, userId: 'u2', request_id: 'mine' })
    expect(parsed[2]).toMatchObject({ trace_id: 'bound', signature: 'bound', request_id: 'r-1' })
    expect(parsed[3]).toMatchObject({ trace_id: 'from-mixin', span_id: 'from-mixin', request_id: 'r-1' })
    expect(parsed[4]).toMatchObject({ trace_id: 'from-mixin', span_id: 'merge', c: 1 })
  })

  it('hands a hooks.logMethod the logger and a method that looks like pino’s', async () => {
    const observe = (wrap: Wrap) => {
      const { lines, stream } = capture()
      const seen: unknown[] = []
      let log: Logger
      const logMethod = function (
        this: Logger,
        args: unknown[],
        method: (...a: unknown[]) => void,
        level: number,
      ) {
        seen.push([this === log, JSON.stringify(this.bindings()), level, method.name, method.length])
        method.apply(this, args)
      }
      log = pino(wrap({ hooks: { logMethod } }), stream)
      twice(() => log.info({ a: 1 }, 'hooked %s', 'line'))
      return { seen, lines: lines.map(withoutDocumented) }
    }
    const expected = observe(plain)
    const got = observe(sieved(ALL))
    expect(got).toEqual(expected)
    expect(expected.seen).toHaveLength(2)
  })
})
