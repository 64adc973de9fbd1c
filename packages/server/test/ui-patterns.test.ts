// The patterns page over plain HTTP: the server pages, sorts, filters and searches every pattern, and its
// rows carry the same numbers as `GET /v1/patterns`, for patterns a generation measured and for new ones.
import { patternKey } from '@logsieve/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { onePattern, patternTable, patternViews } from '../src/pattern-view.js'
import { ADMIN_KEY, batch, startTestServer, type TestServer } from './helpers.js'
import { login, page } from './ui-login.js'

const LEVELS = ['debug', 'info', 'warn', 'error'] as const
/** Templates as the page shows them (unescaped), in page order. */
const templates = (html: string) =>
  [...html.matchAll(/<summary><code>([^<]*)<\/code>/g)].map((m) =>
    m[1]!.replaceAll('&lt;', '<').replaceAll('&gt;', '>'),
  )

describe('the patterns page', () => {
  let t: TestServer
  let cookie: string
  const url = (query = '') => `/ui/services/shop?environment=prod${query}`

  beforeAll(async () => {
    t = await startTestServer()
    const ingest = await t.server.createKey('ingest', ['shop'])
    // 60 patterns a generation measures, then 12 new ones it has not seen (their rates come from counts).
    const measured = batch(
      'shop',
      Array.from({ length: 60 }, (_, i) => [i, LEVELS[i % 4]!, 10 + i * 7, 80 + (i % 9)] as const),
    )
    expect((await t.call('/v1/stats', { body: measured, key: ingest })).status).toBe(202)
    await t.call('/v1/services/shop/settings', { method: 'PUT', body: { budget: { reduction: 0.7 } } })
    await t.call('/v1/services/shop/pins', {
      body: { signature: '0000000000000005', level: 'info', rate: 0.5, reason: 'kept for an audit' },
    })
    await t.server.generate('shop', 'prod')
    const fresh = batch(
      'shop',
      Array.from({ length: 12 }, (_, i) => [100 + i, LEVELS[i % 4]!, 3 + i, 200] as const),
    )
    expect((await t.call('/v1/stats', { body: fresh, key: ingest })).status).toBe(202)
    cookie = (await login(t, ADMIN_KEY)).cookie!
  })
  afterAll(() => t.close())

  it('computes each row as GET /v1/patterns does, from one light read of every pattern', async () => {
    const ctx = t.server.context
    const api = await patternViews(ctx, 'shop', 'prod')
    const table = await patternTable(ctx, 'shop', 'prod')
    expect(table.rows).toHaveLength(72)
    expect(table.policy.version).toBe(api.policy.version)
    const byKey = new Map(api.patterns.map((p) => [patternKey(p.signature, p.level), p]))
    for (const r of table.rows) {
      const { share, example, last24h, firstSeen, lastSeen, ...measures } = byKey.get(
        patternKey(r.signature, r.level),
      )!
      expect(r).toEqual({
        ...measures,
        share,
        firstSeen: Date.parse(firstSeen),
        lastSeen: Date.parse(lastSeen),
      })
      // A row's details (what opening it shows) are the API's pattern too, less the share.
      const one = await onePattern(ctx, 'shop', 'prod', r.signature, r.level)
      expect(one!.pattern).toEqual({ ...measures, example, last24h, firstSeen, lastSeen })
    }
    // New patterns have no rate state: their rows still carry a rate from their 24 h counts.
    const fresh = table.rows.find((v) => v.template === 'pattern 100 <*>')!
    expect(fresh.eventsPerSecond).toBeGreaterThan(0)
    expect(fresh.bytesPerEvent).toBe(200)
  })

  it('serves one page at a time, loudest share first, each listed template in the HTML', async () => {
    const api = (await (await t.call('/v1/patterns?service=shop&environment=prod')).json())
      .patterns as Array<{
      template: string
      share: number
    }>
    const byShare = [...api].sort((a, b) => b.share - a.share).map((p) => p.template)
    const first = await page(t, url('&per=25'), cookie)
    expect(first.res.status).toBe(200)
    expect(first.html).toContain('72 of 72 patterns')
    expect(first.html).toContain('Page 1 of 3')
    const shown = templates(first.html)
    expect(shown).toHaveLength(25)
    expect(new Set(shown)).toEqual(new Set(byShare.slice(0, 25)))
    const last = templates((await page(t, url('&per=25&page=3'), cookie)).html)
    expect(last).toHaveLength(22)
    expect(
      new Set([...shown, ...templates((await page(t, url('&per=25&page=2'), cookie)).html), ...last]).size,
    ).toBe(72)
  })

  it('sorts, filters by level and reason, and searches on the server', async () => {
    const ascending = templates((await page(t, url('&sort=template&dir=asc&per=200'), cookie)).html)
    expect(ascending.slice(0, 3)).toEqual(['pattern 0 <*>', 'pattern 1 <*>', 'pattern 2 <*>'])
    expect(ascending.at(-1)).toBe('pattern 111 <*>')
    const errors = await page(t, url('&level=error&per=200'), cookie)
    expect(errors.html).toContain('18 of 72 patterns')
    expect(errors.html.match(/class="lvl lvl-error"/g)).toHaveLength(18)
    const pinned = await page(t, url('&reason=pin'), cookie)
    expect(templates(pinned.html)).toEqual(['pattern 5 <*>'])
    expect(pinned.html).toContain('class="badge reason-pin"')
    const found = await page(t, url('&q=PATTERN+10'), cookie)
    expect(templates(found.html).sort()).toEqual(
      ['pattern 10 <*>', ...Array.from({ length: 10 }, (_, i) => `pattern ${100 + i} <*>`)].sort(),
    )
    expect((await page(t, url('&q=nothing-like-this'), cookie)).html).toContain('No pattern matches.')
  })

  it('loads a row’s details when it opens: example, pins and pin form, also as a page of their own', async () => {
    const list = (await page(t, url('&reason=pin'), cookie)).html
    const more = /data-more="([^"]+)"/.exec(list)![1]!.replaceAll('&amp;', '&')
    expect(more).toBe('/ui/services/shop/patterns/0000000000000005?environment=prod&level=info&part=more')
    const part = await page(t, more, cookie)
    expect(part.res.status).toBe(200)
    expect(part.html).toMatch(/^<div class="more">/)
    expect(part.html).toContain('kept for an audit')
    expect(part.html).toContain('name="rate"')
    const full = await page(t, more.replace('&part=more', ''), cookie)
    expect(full.html).toContain('<!doctype html>')
    expect(full.html).toContain('kept for an audit')
    const missing = await page(
      t,
      '/ui/services/shop/patterns/ffffffffffffffff?environment=prod&level=info',
      cookie,
    )
    expect(missing.res.status).toBe(404)
    const bad = await page(
      t,
      '/ui/services/shop/patterns/0000000000000005?environment=prod&level=loud',
      cookie,
    )
    expect(bad.res.status).toBe(400)
    expect(bad.html).toContain('must be one of trace')
  })
})
