// The services page over plain HTTP: volume before and after with its cost from costPerGB, errors kept,
// the policy's version and age, and the budget gauge saying plainly when a service is over budget.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_KEY, batch, startTestServer, type TestServer } from './helpers.js'
import { login, page } from './ui-login.js'

/** The text of a service's card, tags dropped and spaces folded. */
function card(html: string, service: string): string {
  const start = html.indexOf(`<a href="/ui/services/${service}?`)
  const end = html.indexOf('</li>', start)
  return html
    .slice(start, end)
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
}

describe('the services page', () => {
  let t: TestServer
  let cookie: string
  beforeAll(async () => {
    t = await startTestServer()
    const ingest = await t.server.createKey('ingest', null)
    // 100 info lines of 80 B and 3 errors of 120 B in one minute: 8,360 B a minute, 12.04 MB a day.
    for (const service of ['tight', 'roomy']) {
      const stats = batch(service, [
        [1, 'info', 100, 80],
        [2, 'error', 3, 120],
      ])
      expect((await t.call('/v1/stats', { body: stats, key: ingest })).status).toBe(202)
    }
    await t.call('/v1/services/tight/settings', {
      method: 'PUT',
      body: { budget: { bytesPerDay: 1000 }, costPerGB: 2 },
    })
    await t.call('/v1/services/roomy/settings', { method: 'PUT', body: { budget: { bytesPerDay: 1e12 } } })
    await t.server.generate('tight', 'prod')
    await t.server.generate('roomy', 'prod')
    cookie = (await login(t, ADMIN_KEY)).cookie!
  })
  afterAll(() => t.close())

  it('shows volume with its cost per month, errors kept and the policy version with its age', async () => {
    const { html } = await page(t, '/ui/', cookie)
    const tight = card(html, 'tight')
    // 12.04 MB a day at $2 per GB is $0.72 a month.
    expect(tight).toContain('Before 12.0 MB/day $0.72/month')
    expect(tight).toContain('Errors kept 3 of 3 last 24 h')
    expect(tight).toMatch(/Policy v1 generated, \d+ s ago/)
    // roomy keeps the default $0.50 per GB.
    expect(card(html, 'roomy')).toContain('Before 12.0 MB/day $0.18/month')
  })

  it('says plainly when the projection is over budget, and by how much', async () => {
    const { html } = await page(t, '/ui/', cookie)
    expect(card(html, 'tight')).toMatch(
      /Over budget by [\d.]+ [KM]?B\/day: projected [\d.]+ [KM]?B\/day against a budget of 1.00 KB\/day/,
    )
    expect(html).toContain('class="gauge over"')
    expect(card(html, 'roomy')).toMatch(/Within budget: projected [\d.]+ [KM]?B\/day of 1.00 TB\/day/)
  })
})
