// The example under a real `next dev`, edited as a developer edits it, against a real policy server on a
// real port. Next.js evaluates the logger module again after each edit: the process must keep exactly
// one sieve (one policy stream), replace it when its options changed (the old one shut down, its stream
// closed, nothing more from it), keep it when they did not, and sample every line by the server's policy.
// The sieves' requests pass through a recording proxy, which tells them apart by their environment.
import { existsSync } from 'node:fs'
import { readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { requirement, titled } from '../../../test/support/requirement.js'
import { devAppDir, layOutApp, nextBin } from './app.js'
import { type RunningApp, startApp, stopDevApp, until } from './app-process.js'
import { type PolicyRecorder, type RecordedRequest, startPolicyRecorder } from './policy-recorder.js'
import { type PolicyServer, startPolicyServer } from './policy-server.js'

const skip = requirement('next', existsSync(nextBin), `is not installed at ${nextBin}`, 'pnpm install')

const SERVICE = 'storefront'
/** `next dev` runs with NODE_ENV=development, the sieve's default environment. */
const BEFORE = 'development'
/** The environment the edit of log.ts sets, with a policy the other way round: debug kept, info dropped. */
const EDITED = 'local'
const traceOf = (n: number): string => n.toString(16).padStart(32, 'b')

describe.skipIf(skip)(titled('the example under next dev, edited while it runs', skip), () => {
  let policy: PolicyServer
  let recorder: PolicyRecorder
  let app: RunningApp
  let trace = 0

  beforeAll(async () => {
    policy = await startPolicyServer(SERVICE)
    await policy.putPolicy(BEFORE, { debug: 0, info: 1 })
    await policy.putPolicy(EDITED, { debug: 1, info: 0 })
    recorder = await startPolicyRecorder(policy.server.url)
    await layOutApp(devAppDir)
    // The first request compiles the route (and instrumentation.ts) on demand: slow on a busy machine.
    app = await startApp(
      nextBin,
      { LOGSIEVE_URL: recorder.url, LOGSIEVE_KEY: policy.key, TMPDIR: policy.dir },
      { command: 'dev', dir: devAppDir, ready: '/api/orders?id=o-0', readyMs: 120_000 },
    )
  }, 180_000)

  afterAll(async () => {
    if (app) stopDevApp(app)
    await recorder?.close()
    await policy?.close()
    await rm(devAppDir, { recursive: true, force: true })
  })

  /** GET an order in a new trace; the messages of the lines the app wrote in it, its id as `<id>`. */
  async function order(): Promise<string[]> {
    const id = `o-${++trace}`
    const mine = traceOf(trace)
    const res = await fetch(`${app.url}/api/orders?id=${id}`, {
      headers: { traceparent: `00-${mine}-00f067aa0ba902b7-01` },
    })
    expect(res.status).toBe(200)
    // Every policy here keeps one of the two lines. pino wrote them before the response, but the pipe
    // from the app may hand them over after it: wait for the first, then briefly for the second.
    const mineLines = () => app.lines.filter((l) => l.trace_id === mine)
    await until(async () => mineLines().length > 0, 10_000)
    await new Promise((r) => setTimeout(r, 100))
    return mineLines().map((l) => String(l.msg).replace(id, '<id>'))
  }

  /** Request orders until one logs `expected` (an edit applies once Next.js recompiled), then 3 more. */
  async function orderUntil(expected: string[]): Promise<void> {
    let last: string[] = []
    await until(async () => {
      last = await order()
      return JSON.stringify(last) === JSON.stringify(expected)
    }, 40_000).catch((error: Error) => {
      throw new Error(`${error.message}; the last order logged ${JSON.stringify(last)}\n${app.stderr()}`)
    })
    // Every further request is sampled the same way.
    for (let i = 0; i < 3; i++) expect(await order()).toEqual(expected)
  }

  /** Edit a file of the running app, as a developer does in an editor. */
  async function edit(file: string, from: string, to: string): Promise<void> {
    const path = join(devAppDir, file)
    const text = await readFile(path, 'utf8')
    expect(text).toContain(from)
    await writeFile(path, text.replace(from, to))
  }

  const streams = (environment: string): RecordedRequest[] =>
    recorder.requests.filter((r) => r.path.endsWith('/stream') && r.environment === environment)
  const openStreams = (): RecordedRequest[] =>
    recorder.requests.filter((r) => r.path.endsWith('/stream') && r.closedAt === undefined)
  /** The open policy streams' environments, once only one is open (or 5 s passed: a leaked one never closes). */
  async function openStreamEnvironments(): Promise<Array<string | undefined>> {
    await until(async () => openStreams().length === 1, 5000).catch(() => {})
    return openStreams().map((r) => r.environment)
  }
  const sseSubscribers = async (): Promise<number> => {
    const text = await (await fetch(`${policy.server.url}/metrics`)).text()
    return Number(/^logsieve_sse_subscribers (\d+)$/m.exec(text)?.[1])
  }

  it("samples by the server's policy with one sieve, though instrumentation.ts and the route each load log.ts", async () => {
    // Until the policy arrives the sieve keeps everything (fail-safe start).
    await orderUntil(['order <id> served'])
    expect(await openStreamEnvironments()).toEqual([BEFORE])
    expect(streams(BEFORE)).toHaveLength(1)
    expect(await sseSubscribers()).toBe(1)
  })

  it('an edit of log.ts that changes an option replaces the sieve: the old one stops, one stream stays', async () => {
    const editedAt = Date.now()
    await edit('src/lib/log.ts', "follow: 'sse',", `follow: 'sse',\n    environment: '${EDITED}',`)
    // The new sieve follows the edited environment's policy: debug kept, info dropped.
    await orderUntil(['looking up order <id>'])
    // Its stream opens just after its first policy; the old sieve's closed as it shut down.
    await until(async () => streams(EDITED).length > 0)
    expect(await openStreamEnvironments()).toEqual([EDITED])
    expect(streams(EDITED)).toHaveLength(1)
    expect(await sseSubscribers()).toBe(1)
    // After the edit the old sieve sent only stats: its last window as it shut down (none if a window
    // had just been sent: an empty one is not).
    const late = recorder.requests.filter((r) => r.environment === BEFORE && r.at >= editedAt)
    expect(late.filter((r) => `${r.method} ${r.path}` !== 'POST /v1/stats')).toEqual([])
    // Then nothing more while the app keeps serving.
    const settled = Date.now()
    for (let i = 0; i < 5; i++) expect(await order()).toEqual(['looking up order <id>'])
    expect(recorder.requests.filter((r) => r.environment === BEFORE && r.at >= settled)).toEqual([])
  })

  it('an edit of a route file keeps the sieve: same stream, lines still sampled', async () => {
    const [stream] = streams(EDITED)
    await edit(
      'src/app/api/orders/route.ts',
      "log.debug('looking up order %s'",
      "log.debug('finding order %s'",
    )
    await orderUntil(['finding order <id>'])
    expect(streams(EDITED)).toEqual([stream])
    expect(openStreams()).toEqual([stream])
    expect(await sseSubscribers()).toBe(1)
  })
})
