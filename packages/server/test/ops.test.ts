import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MIGRATIONS } from '../src/store/migrations.js'
import { batch, startTestServer, type TestServer } from './helpers.js'

describe('operational routes', () => {
  let t: TestServer
  beforeAll(async () => {
    t = await startTestServer()
  })
  afterAll(() => t.close())

  it('answers /health, /ready and /version without a key', async () => {
    expect(await (await t.call('/health', { key: null })).json()).toEqual({ status: 'ok' })
    expect((await t.call('/ready', { key: null })).status).toBe(200)
    const v = await (await t.call('/version', { key: null })).json()
    expect(v).toMatchObject({ name: '@logsieve/server', schemaVersion: MIGRATIONS.length })
  })

  it('exposes Prometheus metrics for requests, batches, generations and projected bytes', async () => {
    const key = await t.server.createKey('ingest', ['m'])
    await t.call('/v1/stats', { body: batch('m', [[1, 'info', 600, 100]]), key })
    await t.call('/v1/policies/m/generate?environment=prod', { method: 'POST' })
    const res = await t.call('/metrics', { key: null })
    expect(res.headers.get('content-type')).toContain('text/plain')
    const text = await res.text()
    expect(text).toContain('# TYPE logsieve_http_requests_total counter')
    expect(text).toMatch(/logsieve_stats_batches_total 1\n/)
    expect(text).toMatch(/logsieve_stats_patterns_total 1\n/)
    expect(text).toMatch(/logsieve_policy_generations_total\{result="stored"\} 1\n/)
    expect(text).toMatch(/logsieve_observed_bytes_per_day\{service="m",environment="prod"\} 86400000\n/)
    expect(text).toMatch(/logsieve_projected_bytes_per_day\{service="m",environment="prod"\} \d/)
  })

  it('serves an OpenAPI document listing every route with the contract schemas', async () => {
    const doc = await (await t.call('/openapi.json', { key: null })).json()
    expect(doc.openapi).toBe('3.1.0')
    for (const path of [
      '/v1/stats',
      '/v1/policies/{service}',
      '/v1/policies/{service}/stream',
      '/v1/keys',
      '/metrics',
    ]) {
      expect(Object.keys(doc.paths)).toContain(path)
    }
    expect(doc.components.schemas.StatsBatch.properties.patterns.maxItems).toBe(5000)
  })

  it('answers unknown routes with a JSON 404', async () => {
    const res = await t.call('/v1/nope')
    expect(res.status).toBe(404)
    expect((await res.json()).error.code).toBe('LOGSIEVE_NOT_FOUND')
  })

  it('lists services and patterns with rates, kept and projected bytes', async () => {
    const services = await (await t.call('/v1/services')).json()
    expect(services.services).toContainEqual(
      expect.objectContaining({ service: 'm', environment: 'prod', policyVersion: 1 }),
    )
    const patterns = await (await t.call('/v1/patterns?service=m&environment=prod')).json()
    expect(patterns.patterns[0]).toMatchObject({
      signature: '0000000000000001',
      eventsPerSecond: 10,
      bytesPerEvent: 100,
      bytesPerDay: 86_400_000,
      rate: expect.any(Number),
      reason: expect.any(String),
    })
    expect((await t.call('/v1/patterns')).status).toBe(400)
  })
})

describe('bin options', () => {
  it('reads flags (with or without =, after a bare --) over environment variables', async () => {
    const { optionsFromEnv } = await import('../src/index.js')
    const env = {
      LOGSIEVE_PORT: '9000',
      LOGSIEVE_DB: '/tmp/x.db',
      LOGSIEVE_CORS_ORIGINS: 'https://a.example, https://b.example',
    }
    expect(optionsFromEnv(['--', '--port', '0', '--host=0.0.0.0', '--rate-limit', '0'], env)).toEqual({
      port: 0,
      host: '0.0.0.0',
      dbPath: '/tmp/x.db',
      corsOrigins: ['https://a.example', 'https://b.example'],
      logger: 'info',
      rateLimit: false,
    })
    expect(() => optionsFromEnv(['--port', 'abc'], {})).toThrow(/--port must be a number/)
  })
})
