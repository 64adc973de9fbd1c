// The dashboard in Debian's chromium (playwright-core), against a real policy server fed by a real
// @logsieve/node sieve under pino: login, patterns, pin, diff and rollback, a viewer refused, HTML from
// an SDK shown as text, axe-core on every page. Screenshots land in a temp folder, or in
// docs/img/dashboard/ with LOGSIEVE_UPDATE_SCREENSHOTS=1 (the tracked ones change only when asked).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { Writable } from 'node:stream'
import { gzipSync } from 'node:zlib'
import { createSieve, type Sieve } from '@logsieve/node'
import { sievePino } from '@logsieve/pino'
import { type RunningServer, startServer } from '@logsieve/server'
import { pino } from 'pino'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { requirement, titled } from './support/requirement.js'

const CHROMIUM = process.env.LOGSIEVE_CHROMIUM ?? '/usr/bin/chromium'
const skip = requirement(
  'chromium',
  existsSync(CHROMIUM),
  `not found at ${CHROMIUM}`,
  'apt-get install chromium, or LOGSIEVE_CHROMIUM=<path>',
)

const root = resolve(import.meta.dirname, '..')
const SHOTS =
  process.env.LOGSIEVE_UPDATE_SCREENSHOTS === '1'
    ? join(root, 'docs/img/dashboard')
    : join(tmpdir(), 'logsieve-dashboard-screenshots')
const ADMIN = 'dashboard-test-admin-key-0123'
const SERVICE = 'checkout'
const ENV = 'prod'
const XSS_TEMPLATE = '<script>window.__pwned = true</script> rendered <b>bold</b> for'
const require = createRequire(import.meta.url)
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8')

let dir: string
let server: RunningServer
let browser: Browser
let ingestKey: string
let viewerKey: string
let sieve: Sieve

async function api(path: string, init: { method?: string; body?: unknown; key?: string } = {}) {
  const res = await fetch(server.url + path, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { authorization: `Bearer ${init.key ?? ADMIN}`, 'content-type': 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  })
  const text = await res.text()
  return { status: res.status, body: text ? JSON.parse(text) : undefined }
}

/** axe-core in the page: no serious or critical violation. */
async function accessible(page: Page): Promise<void> {
  await page.evaluate(AXE)
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as { axe: { run(): Promise<{ violations: Array<Record<string, unknown>> }> } }
    ).axe
    const r = await axe.run()
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.help}`)
  })
  expect(violations, page.url()).toEqual([])
}

const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true })

async function login(context: BrowserContext, key: string): Promise<Page> {
  const page = await context.newPage()
  await page.goto(`${server.url}/ui/login`)
  await page.fill('#key', key)
  await Promise.all([page.waitForURL(/\/ui\/$/), page.click('button[type=submit]')])
  return page
}

/** Real traffic: pino with Logsieve, a few patterns of different volume, one whose message is HTML. */
async function sendTraffic(): Promise<void> {
  const sink = new Writable({ write: (_c, _e, cb) => cb() })
  const log = pino(sievePino(sieve, { level: 'debug' }), sink)
  for (let i = 0; i < 600; i++) {
    log.debug({ key: `k${i % 7}` }, 'cache lookup for cart %s hit=%s', `c${i}`, i % 3 === 0)
    if (i % 2 === 0) log.info('user %s fetched cart %s with %d items', `u${i}`, `c${i}`, i % 9)
    if (i % 10 === 0) log.info('pricing service answered in %dms', i % 80)
    if (i % 50 === 0) log.warn('slow query on orders took %dms', 300 + i)
    if (i % 100 === 0) log.error('payment provider timed out after %dms', 5000 + i)
    if (i % 60 === 0) log.info(`${XSS_TEMPLATE} %s`, `user${i}`)
  }
  await sieve.flush()
}

/**
 * A week of earlier minute rows for the same patterns (a daily wave; everything kept until three days
 * ago, the policy's rates since), so the charts and sparklines have a history to draw.
 */
async function writeHistory(): Promise<void> {
  const { body } = await api(`/v1/patterns?service=${SERVICE}&environment=${ENV}`)
  const now = Date.now()
  const start = Math.floor(now / 60_000) * 60_000 - 7 * 86_400_000
  const rows = []
  for (let t = start; t < now - 60_000; t += (t < now - 86_400_000 ? 30 : 5) * 60_000) {
    const wave = 1 + 0.5 * Math.sin((2 * Math.PI * t) / 86_400_000)
    for (const p of body.patterns) {
      const seen = Math.round(p.last24h.seen * 0.05 * wave) + 1
      const kept = t < now - 3 * 86_400_000 ? seen : Math.max(1, Math.round(seen * p.rate))
      const size = p.last24h.bytes / Math.max(1, p.last24h.seen)
      rows.push({
        service: SERVICE,
        environment: ENV,
        signature: p.signature,
        level: p.level,
        minute: t,
        seen,
        kept,
        bytes: seen * size,
        keptBytes: kept * size,
        plainBytes: seen * size,
      })
    }
  }
  await server.store.writeStats(rows, [])
}

describe.skipIf(skip !== undefined)(titled('dashboard in chromium', skip), { timeout: 120_000 }, () => {
  beforeAll(async () => {
    const { chromium } = await import('playwright-core')
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
    })
    mkdirSync(SHOTS, { recursive: true })
    dir = mkdtempSync(join(tmpdir(), 'logsieve-dashboard-'))
    server = await startServer({
      port: 0,
      dbPath: join(dir, 'logsieve.db'),
      adminKey: ADMIN,
      generationIntervalMs: 0,
      flushIntervalMs: 200,
      rateLimit: false,
    })
    ingestKey = await server.createKey('ingest', [SERVICE], 'checkout service')
    const viewer = await api('/v1/keys', { body: { scope: 'viewer', name: 'auditor' } })
    expect(viewer.status).toBe(201)
    viewerKey = viewer.body.key
    expect(
      (
        await api(`/v1/services/${SERVICE}/settings`, {
          method: 'PUT',
          body: { budget: { reduction: 0.7 } },
        })
      ).status,
    ).toBe(200)
    sieve = createSieve({
      service: SERVICE,
      environment: ENV,
      server: { url: server.url, apiKey: ingestKey },
      statsIntervalMs: 3_600_000,
      cacheDir: false,
      examples: true,
    })
    await sendTraffic()
    await server.generate(SERVICE, ENV)
    await writeHistory()
  }, 90_000)

  afterAll(async () => {
    await sieve?.shutdown()
    await browser?.close()
    await server?.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
  }, 30_000)

  it('sends a visitor without a session to the login page and refuses a bad key', async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    await page.goto(`${server.url}/ui/`)
    expect(new URL(page.url()).pathname).toBe('/ui/login')
    await accessible(page)
    await shot(page, 'login')
    await page.fill('#key', 'lsk_aaaaaaaaaaaa_not-a-real-secret-at-all')
    const [res] = await Promise.all([page.waitForResponse(/\/ui\/login$/), page.click('button[type=submit]')])
    expect(res.status()).toBe(401)
    await expect(page.locator('.flash.error').textContent()).resolves.toContain('not valid')
    expect(await context.cookies()).not.toContainEqual(expect.objectContaining({ name: 'logsieve_session' }))
    await context.close()
  })

  it('logs in with a key into a server-side session the key never reaches', async () => {
    const context = await browser.newContext()
    const page = await login(context, ADMIN)
    const cookie = (await context.cookies()).find((c) => c.name === 'logsieve_session')!
    expect(cookie.httpOnly).toBe(true)
    expect(cookie.sameSite).toBe('Strict')
    expect(cookie.expires).toBeGreaterThan(Date.now() / 1000)
    expect(cookie.value).not.toContain(ADMIN)
    expect(page.url()).not.toContain(ADMIN)
    expect(await page.evaluate(() => JSON.stringify({ ...localStorage }))).not.toContain(ADMIN)
    await expect(page.locator('h1').first().textContent()).resolves.toBe('Services')
    await expect(page.locator('.card h2 a').first().textContent()).resolves.toBe(SERVICE)
    const csp = (await page.request.get(`${server.url}/ui/`)).headers()['content-security-policy']!
    expect(csp).toContain("script-src 'self'")
    expect(csp).not.toContain('unsafe-inline')
    await accessible(page)
    await shot(page, 'services')

    // Logout ends the session on the server: the old cookie no longer opens a page.
    await Promise.all([page.waitForURL(/\/ui\/login$/), page.click('text=Log out')])
    const replay = await fetch(`${server.url}/ui/`, {
      headers: { cookie: `logsieve_session=${cookie.value}` },
      redirect: 'manual',
    })
    expect(replay.status).toBe(303)
    expect(replay.headers.get('location')).toBe('/ui/login')
    await context.close()
  })

  it('shows the patterns real SDK stats brought, HTML from the SDK as text', async () => {
    const context = await browser.newContext()
    const page = await login(context, ADMIN)
    await page.goto(`${server.url}/ui/services/${SERVICE}?environment=${ENV}`)
    const { body } = await api(`/v1/patterns?service=${SERVICE}&environment=${ENV}`)
    expect(body.patterns.length).toBeGreaterThanOrEqual(6)
    const shown = await page.locator('td.tpl summary code').allTextContents()
    for (const p of body.patterns) expect(shown).toContain(p.template)
    // The HTML template is text on the page: no script ran, no <b> element exists.
    expect(shown.some((t) => t.includes('<script>window.__pwned'))).toBe(true)
    expect(await page.evaluate(() => (window as { __pwned?: boolean }).__pwned)).toBeUndefined()
    expect(await page.locator('td.tpl b').count()).toBe(0)
    // Search narrows the table on the server.
    await page.fill('#q', 'pricing')
    await Promise.all([page.waitForURL(/q=pricing/), page.click('.filters button')])
    expect(await page.locator('td.tpl summary code').allTextContents()).toEqual([
      'pricing service answered in %dms',
    ])
    await page.goto(`${server.url}/ui/services/${SERVICE}?environment=${ENV}&sort=seen`)
    // One small script: it loads a row's details when the row opens (sorting and paging are links).
    expect(await page.locator('script[src]').count()).toBe(1)
    // From the keyboard: Tab reaches the row's summary, Enter opens its example and pin form.
    await page.locator('#q').focus()
    for (
      let i = 0;
      i < 30 && !(await page.evaluate(() => document.activeElement?.tagName === 'SUMMARY'));
      i++
    )
      await page.keyboard.press('Tab')
    await page.keyboard.press('Enter')
    await page.locator('pre.example').first().waitFor()
    await expect(page.locator('td.tpl details').first().getAttribute('open')).resolves.toBe('')
    await accessible(page)
    await shot(page, 'patterns')
    await context.close()
  })

  it('pins a pattern from its row and the policy API returns the rule; diff and rollback', async () => {
    const context = await browser.newContext()
    const page = await login(context, ADMIN)
    const { body } = await api(`/v1/patterns?service=${SERVICE}&environment=${ENV}`)
    const target = body.patterns.find((p: { template: string }) => p.template.startsWith('cache lookup'))
    await page.goto(`${server.url}/ui/services/${SERVICE}?environment=${ENV}`)
    const row = page.locator(`#p-${target.signature}-${target.level}`)
    await row.locator('summary').click()
    await row.locator('input[name=rate]').fill('0.25')
    await row.locator('select[name=expires]').selectOption('7d')
    await Promise.all([
      page.waitForURL(/done=pinned/),
      row.getByRole('button', { name: 'Pin', exact: true }).click(),
    ])
    await expect(page.locator('.flash.ok').textContent()).resolves.toContain('Pinned')
    const policy = await api(`/v1/policies/${SERVICE}?environment=${ENV}`, { key: ingestKey })
    const rule = policy.body.rules.find((r: { signature: string }) => r.signature === target.signature)
    expect(rule).toMatchObject({ rate: 0.25, reason: 'pin' })
    const pinnedVersion = policy.body.version as number

    // Diff of the two latest versions, side by side, shows the pin.
    await page.goto(`${server.url}/ui/services/${SERVICE}/policy?environment=${ENV}`)
    await page.check(`input[name=from][value="${pinnedVersion - 1}"]`)
    await page.check(`input[name=to][value="${pinnedVersion}"]`)
    await Promise.all([page.waitForURL(/to=/), page.click('button:has-text("Compare")')])
    const changed = page.locator('table.diff tbody tr', { hasText: 'cache lookup' })
    await expect(changed.locator('td').nth(1).textContent()).resolves.toContain('1/4')
    await expect(changed.locator('td').nth(1).textContent()).resolves.toContain('pin')
    await accessible(page)
    await shot(page, 'policy')

    // Rollback asks first, then publishes a copy of the old version.
    await page.click(`text=Roll back to v${pinnedVersion - 1}`)
    await expect(page.locator('h2#confirm').textContent()).resolves.toContain(`v${pinnedVersion - 1}`)
    await accessible(page)
    await shot(page, 'rollback')
    await Promise.all([
      page.waitForURL(/done=rolledback/),
      page.click(`button:has-text("Roll back to v${pinnedVersion - 1}")`),
    ])
    const after = await api(`/v1/policies/${SERVICE}?environment=${ENV}`, { key: ingestKey })
    expect(after.body.version).toBe(pinnedVersion + 1)
    expect(after.body.source).toBe('rollback')
    const old = await api(`/v1/policies/${SERVICE}/versions/${pinnedVersion - 1}?environment=${ENV}`)
    expect(after.body.rules).toEqual(old.body.rules)
    await context.close()
  })

  it('generates a dry run with projected savings, then applies it', async () => {
    await sendTraffic()
    const context = await browser.newContext()
    const page = await login(context, ADMIN)
    const before = (await api(`/v1/policies/${SERVICE}?environment=${ENV}`, { key: ingestKey })).body.version
    await page.goto(`${server.url}/ui/services/${SERVICE}/policy?environment=${ENV}`)
    await page.click('text=Generate (dry run)')
    await expect(page.locator('h2#dry').isVisible()).resolves.toBe(true)
    await expect(page.locator('.figures').textContent()).resolves.toMatch(/Saved.*\/day/s)
    expect((await api(`/v1/policies/${SERVICE}?environment=${ENV}`, { key: ingestKey })).body.version).toBe(
      before,
    )
    await accessible(page)
    await shot(page, 'generate')
    await Promise.all([page.waitForURL(/done=/), page.click('button:has-text("Apply")')])
    await expect(page.locator('.flash.ok').textContent()).resolves.toContain('Generated')
    await context.close()
  })

  it('shows the validator’s errors inline on the settings page', async () => {
    const context = await browser.newContext()
    const page = await login(context, ADMIN)
    await page.goto(`${server.url}/ui/services/${SERVICE}/settings?environment=${ENV}`)
    await page.fill('#costPerGB', '-3')
    const [res] = await Promise.all([page.waitForResponse(/settings/), page.click('text=Save settings')])
    expect(res.status()).toBe(400)
    await expect(page.locator('#costPerGB').getAttribute('aria-invalid')).resolves.toBe('true')
    await expect(page.locator('#err-costPerGB').textContent()).resolves.toContain('costPerGB')
    await accessible(page)
    await shot(page, 'settings')
    await page.fill('#costPerGB', '0.1')
    await page.click('text=Save settings')
    await expect(page.locator('.flash.ok').textContent()).resolves.toContain('saved')
    expect((await api(`/v1/services/${SERVICE}/settings`)).body.costPerGB).toBe(0.1)
    await context.close()
  })

  it('draws the volume charts with policy versions, within 60 KB of gzipped script', async () => {
    const context = await browser.newContext()
    const page = await login(context, ADMIN)
    const scripts: Buffer[] = []
    page.on('response', async (r) => {
      if (r.request().resourceType() === 'script') scripts.push(await r.body())
    })
    await page.goto(`${server.url}/ui/services/${SERVICE}/volume?environment=${ENV}`)
    await page.waitForSelector('.chart canvas')
    expect(await page.locator('.chart canvas').count()).toBe(2)
    const series = await api(`/v1/services/${SERVICE}/timeseries?environment=${ENV}`)
    expect(series.body.points.length).toBeGreaterThan(0)
    expect(series.body.versions.length).toBeGreaterThanOrEqual(3)
    const gz = scripts.reduce((n, b) => n + gzipSync(b).length, 0)
    expect(scripts.length).toBe(2)
    expect(gz).toBeLessThanOrEqual(60 * 1024)
    await accessible(page)
    await shot(page, 'volume')
    await context.close()
  })

  it('lets a viewer read but refuses its pin, in the UI and the API', async () => {
    const context = await browser.newContext()
    const page = await login(context, viewerKey)
    await page.goto(`${server.url}/ui/services/${SERVICE}?environment=${ENV}`)
    await expect(page.locator('.note').textContent()).resolves.toContain('viewer key')
    const row = page.locator('tbody tr').first()
    const signature = (await row.getAttribute('id'))!.split('-')[1]!
    const pinsBefore = (await api(`/v1/services/${SERVICE}/pins`)).body.pins
    await row.locator('summary').click()
    const [res] = await Promise.all([
      page.waitForResponse(/\/pins/),
      row.getByRole('button', { name: 'Pin', exact: true }).click(),
    ])
    expect(res.status()).toBe(403)
    await expect(page.locator('.flash.error').textContent()).resolves.toContain('change nothing')
    expect((await api(`/v1/services/${SERVICE}/pins`)).body.pins).toEqual(pinsBefore)
    // Through the API: reads pass, writes are 403.
    expect((await api('/v1/services', { key: viewerKey })).status).toBe(200)
    expect((await api(`/v1/policies/${SERVICE}/history?environment=${ENV}`, { key: viewerKey })).status).toBe(
      200,
    )
    const write = await api(`/v1/services/${SERVICE}/pins`, {
      key: viewerKey,
      body: { signature, rate: 0.5, reason: 'viewer try' },
    })
    expect(write.status).toBe(403)
    expect(write.body.error.message).toContain('change nothing')
    expect(
      (
        await api(`/v1/policies/${SERVICE}/rollback/1?environment=${ENV}`, {
          method: 'POST',
          key: viewerKey,
        })
      ).status,
    ).toBe(403)
    await context.close()
  })

  it('refuses a UI write without the session’s CSRF token', async () => {
    const context = await browser.newContext()
    await login(context, ADMIN)
    const res = await context.request.post(
      `${server.url}/ui/services/${SERVICE}/settings?environment=${ENV}`,
      {
        form: { costPerGB: '9' },
      },
    )
    expect(res.status()).toBe(403)
    expect((await api(`/v1/services/${SERVICE}/settings`)).body.costPerGB).not.toBe(9)
    await context.close()
  })
})
