// The built bundle in Debian's chromium (driven by playwright-core) against the real policy server, a
// local collector for kept lines, and two local backends (one allowed to receive traceparent).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { computeSignature, parseTraceparent } from '@logsieve/core'
import { startServer } from '@logsieve/server'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { titled } from '../../../test/support/requirement.js'
import { buildBundle, FULL_ENTRY } from './bundle.js'
import { chromiumSkip, launchChromium } from './chromium.js'
import { listen, type Recorded, type Running, recorder, waitFor } from './http.js'

const ADMIN_KEY = 'test-admin-key-0123456789'
const SERVICE = 'shop-web'
const ENVIRONMENT = 'prod'
const NOISY = computeSignature('cache miss for key 1000')

declare global {
  interface Window {
    logsieve: typeof import('../src/index.js') &
      typeof import('../src/trace.js') & { pino: typeof import('pino').default }
    sieve: import('../src/index.js').BrowserSieve
    diagnostics: string[]
  }
}

let dir: string
let browser: Browser
let server: { url: string; close(): Promise<void> }
let page$: Running
let collector: Awaited<ReturnType<typeof recorder>>
let backend: Awaited<ReturnType<typeof recorder>>
let otherBackend: Awaited<ReturnType<typeof recorder>>
let ingestKey: string

async function admin(method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.text()
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`)
  return text ? JSON.parse(text) : undefined
}

beforeAll(async () => {
  if (chromiumSkip) return
  browser = await launchChromium()
  dir = mkdtempSync(join(tmpdir(), 'logsieve-browser-'))
  // The test page also gets pino's browser build, to drive the pino integration.
  const { code } = await buildBundle(`${FULL_ENTRY}\nexport { default as pino } from 'pino'`, false)
  page$ = await listen((req, res) => {
    if (req.url === '/sieve.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(code)
      return
    }
    res.writeHead(200, { 'content-type': 'text/html' })
    res.end(
      '<!doctype html><title>logsieve</title><script type="module">' +
        "import * as m from '/sieve.js'; window.logsieve = m; window.diagnostics = []</script>",
    )
  })
  collector = await recorder()
  backend = await recorder()
  otherBackend = await recorder()
  server = await startServer({
    port: 0,
    dbPath: join(dir, 'logsieve.db'),
    adminKey: ADMIN_KEY,
    corsOrigins: [page$.url],
  })
  const created = (await admin('POST', '/v1/keys', {
    scope: 'ingest',
    name: 'web',
    services: [SERVICE],
  })) as { key: string }
  ingestKey = created.key
  await admin('PUT', `/v1/policies/${SERVICE}?environment=${ENVIRONMENT}`, {
    service: SERVICE,
    environment: ENVIRONMENT,
    version: 1,
    source: 'manual',
    defaults: { levels: { debug: 0 } },
    rules: [{ signature: NOISY.signature, rate: 0, reason: 'manual', template: NOISY.template }],
  })
}, 60_000)

afterAll(async () => {
  await browser?.close()
  await Promise.all([
    server?.close(),
    page$?.close(),
    collector?.close(),
    backend?.close(),
    otherBackend?.close(),
  ])
  if (dir) rmSync(dir, { recursive: true, force: true })
})

/** A fresh page with a sieve pointed at the real server and the local collector. */
async function openSieve(
  context?: BrowserContext,
  prepare?: (page: Page) => Promise<unknown>,
): Promise<Page> {
  const page = await (context ?? browser).newPage()
  await prepare?.(page)
  await page.goto(page$.url)
  await page.waitForFunction(() => window.logsieve !== undefined)
  await page.evaluate(
    (cfg) => {
      window.sieve = window.logsieve.createBrowserSieve({
        service: cfg.service,
        environment: cfg.environment,
        server: { url: cfg.server, apiKey: cfg.key },
        endpoint: cfg.collector,
        propagateTrace: window.logsieve.traceFetch([cfg.backend]),
        // Timers far away: the tests send with flush() and the page-hide path only.
        flushIntervalMs: 600_000,
        statsIntervalMs: 600_000,
        onDiagnostic: (e) => window.diagnostics.push(String(e)),
      })
    },
    {
      service: SERVICE,
      environment: ENVIRONMENT,
      server: server.url,
      key: ingestKey,
      collector: `${collector.url}/v1/logs`,
      backend: backend.url,
    },
  )
  return page
}

interface PatternRow {
  signature: string
  level: string
  template: string
  last24h: { seen: number; kept: number; bytes: number }
}

async function patterns(): Promise<PatternRow[]> {
  const body = await admin('GET', `/v1/patterns?service=${SERVICE}&environment=${ENVIRONMENT}`)
  return (body as { patterns: PatternRow[] }).patterns
}

interface OtlpLine {
  body: { stringValue: string }
  severityNumber: number
  traceId: string
  attributes: Array<{ key: string; value: Record<string, unknown> }>
}

function linesOf(requests: Recorded[]): OtlpLine[] {
  return requests
    .filter((r) => r.path === '/v1/logs')
    .flatMap((r) => JSON.parse(r.body).resourceLogs[0].scopeLogs[0].logRecords as OtlpLine[])
}

describe.skipIf(chromiumSkip)(
  titled('@logsieve/browser in chromium', chromiumSkip),
  { timeout: 60_000 },
  () => {
    it('applies the server policy: noisy pattern dropped, errors kept, trace id on every line, stats at the server', async () => {
      const page = await openSieve()
      await page.waitForFunction(() => window.sieve.policy.version >= 1, undefined, { timeout: 20_000 })
      const traceId = await page.evaluate(async () => {
        const { logger } = window.sieve
        for (let i = 0; i < 50; i++) logger.info(`cache miss for key ${1000 + i}`)
        logger.debug('render took 12ms')
        logger.error('cache miss for key 9999', { shard: 3 })
        for (let i = 0; i < 3; i++) logger.info(`checkout started for order ${i}`, { step: i })
        await window.sieve.flush()
        return window.sieve.traceId
      })
      const lines = await waitFor('kept lines at the collector', () => {
        const l = linesOf(collector.requests).filter((x) => x.traceId === traceId)
        return l.length >= 4 ? l : undefined
      })
      const texts = lines.map((l) => l.body.stringValue)
      expect(texts).toEqual([
        'cache miss for key 9999',
        'checkout started for order 0',
        'checkout started for order 1',
        'checkout started for order 2',
      ])
      expect(lines[0]!.severityNumber).toBe(17)
      expect(lines[0]!.attributes).toContainEqual({
        key: 'logsieve.signature',
        value: { stringValue: NOISY.signature },
      })
      expect(lines[1]!.attributes).toContainEqual({ key: 'step', value: { intValue: '0' } })

      const noisy = await waitFor('stats at the server', async () =>
        (await patterns()).find((p) => p.signature === NOISY.signature && p.level === 'info'),
      )
      expect(noisy).toMatchObject({ template: NOISY.template, last24h: { seen: 50, kept: 0 } })
      expect(await page.evaluate(() => window.diagnostics)).toEqual([])
      await page.close()
    })

    it('adds traceparent to fetch calls to the allowed origin only', async () => {
      const page = await openSieve()
      const traceId = await page.evaluate(
        async ({ allowed, other }) => {
          await (await fetch(`${allowed}/api/cart`)).text()
          await (await fetch(`${other}/api/cart`)).text()
          return window.sieve.traceId
        },
        { allowed: backend.url, other: otherBackend.url },
      )
      const got = backend.requests.find((r) => r.path === '/api/cart')
      expect(parseTraceparent(got?.headers.traceparent)?.traceId).toBe(traceId)
      const notGot = otherBackend.requests.find((r) => r.path === '/api/cart')
      expect(notGot).toBeDefined()
      expect(notGot!.headers.traceparent).toBeUndefined()
      await page.close()
    })

    it('delivers the last batch and the last stats with a beacon when the page closes', async () => {
      const page = await openSieve()
      await page.waitForFunction(() => window.sieve.policy.version >= 1, undefined, { timeout: 20_000 })
      const traceId = await page.evaluate(() => {
        window.sieve.logger.warn('payment form abandoned at step 3')
        return window.sieve.traceId
      })
      await page.close({ runBeforeUnload: true })
      const last = await waitFor('the beacon at the collector', () =>
        collector.requests.find((r) => r.body.includes('payment form abandoned')),
      )
      // A beacon: a text/plain simple request that needs no preflight from a dying page.
      expect(last.headers['content-type']).toMatch(/^text\/plain/)
      expect(linesOf([last]).map((l) => l.traceId)).toContain(traceId)
      const abandoned = computeSignature('payment form abandoned at step 3')
      const row = await waitFor('the last stats at the server', async () =>
        (await patterns()).find((p) => p.signature === abandoned.signature),
      )
      expect(row).toMatchObject({ level: 'warn', last24h: { seen: 1, kept: 1 } })
    })

    it('starts from the policy cached in localStorage when the server is unreachable', async () => {
      const context = await browser.newContext()
      const first = await openSieve(context)
      await first.waitForFunction(() => window.sieve.policy.version >= 1, undefined, { timeout: 20_000 })
      await first.close()
      // Every request to the policy server now fails: only the localStorage copy can bring version 1.
      const page = await openSieve(context, (p) =>
        p.route(`${server.url}/**`, (route) => route.abort('connectionrefused')),
      )
      await page.waitForFunction(() => window.sieve.policy.version >= 1, undefined, { timeout: 20_000 })
      const kept = await page.evaluate(() => window.sieve.logger.info('cache miss for key 4242'))
      expect(kept).toBe(false)
      expect((await page.evaluate(() => window.diagnostics)).length).toBeGreaterThan(0)
      await context.close()
    })

    it('routes pino (browser build) through the sieve: same policy, fields kept', async () => {
      const page = await openSieve()
      await page.waitForFunction(() => window.sieve.policy.version >= 1, undefined, { timeout: 20_000 })
      const traceId = await page.evaluate(async () => {
        const { pino, pinoBrowser } = window.logsieve
        const log = pino({ browser: pinoBrowser(window.sieve) })
        for (let i = 0; i < 20; i++) log.info(`cache miss for key ${2000 + i}`)
        log.error({ shard: 2 }, 'cache miss for key 7')
        log.info({ user: 'u1' }, 'profile opened')
        await window.sieve.flush()
        return window.sieve.traceId
      })
      const lines = await waitFor('pino lines at the collector', () => {
        const l = linesOf(collector.requests).filter((x) => x.traceId === traceId)
        return l.length >= 2 ? l : undefined
      })
      expect(lines.map((l) => l.body.stringValue)).toEqual(['cache miss for key 7', 'profile opened'])
      expect(lines[0]!.severityNumber).toBe(17)
      expect(lines[1]!.attributes).toContainEqual({ key: 'user', value: { stringValue: 'u1' } })
      await page.close()
    })

    it('keeps working with storage blocked and the policy server unreachable, without a page error', async () => {
      const pageErrors: Error[] = []
      const page = await openSieve(undefined, async (p) => {
        p.on('pageerror', (error) => pageErrors.push(error))
        await p.addInitScript(() => {
          for (const name of ['localStorage', 'sessionStorage']) {
            Object.defineProperty(window, name, {
              get() {
                throw new DOMException('The operation is insecure.', 'SecurityError')
              },
            })
          }
        })
        await p.route(`${server.url}/**`, (route) => route.abort('connectionrefused'))
      })
      const result = await page.evaluate(async () => {
        const kept = window.sieve.logger.info('offline line for order 5')
        window.sieve.log('info', { not: 'a string' })
        window.sieve.log(Number.NaN, undefined)
        await window.sieve.flush()
        await window.sieve.shutdown()
        return { kept, traceId: window.sieve.traceId, version: window.sieve.policy.version }
      })
      expect(result.kept).toBe(true)
      expect(result.traceId).toMatch(/^[0-9a-f]{32}$/)
      expect(result.version).toBe(0)
      await waitFor('the offline line at the collector', () =>
        linesOf(collector.requests).find(
          (l) => l.traceId === result.traceId && l.body.stringValue.includes('order 5'),
        ),
      )
      expect((await page.evaluate(() => window.diagnostics)).length).toBeGreaterThan(0)
      expect(pageErrors).toEqual([])
      await page.close()
    })
  },
)
