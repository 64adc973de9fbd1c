// The server refuses exactly what its own /openapi.json refuses (finding 12: the document claimed it could
// not drift from validation while ingest validated with something else). Every field of each request body,
// one at a time at and past its limits, is sent to a real server and checked by a JSON Schema validator
// (ajv, draft 2020-12 as OpenAPI 3.1 uses) against the schema the server serves.
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fieldMutations, isJson, pathText } from '../../../test/support/field-mutations.js'
import { sig, startTestServer, type TestServer } from './helpers.js'

/** Fields the server also checks against its clock and per-batch sums (STATS_LIMITS, in the document). */
const LIMITS = /^(window\.|overflow\.|patterns\[\d+\]\.(seen|kept|bytes|keptBytes)$)/

const now = new Date().toISOString()
const BODIES: Array<{ schema: string; method: string; path: string; ok: number; example: unknown }> = [
  {
    schema: 'StatsBatch',
    method: 'POST',
    path: '/v1/stats',
    ok: 202,
    example: {
      sdk: { name: 'test', version: '0.0.0' },
      service: 'drift',
      environment: 'prod',
      instance: 'host-1',
      policyVersion: 1,
      window: { start: now, end: now },
      patterns: [
        {
          signature: sig(1),
          level: 'info',
          template: 'user <*>',
          seen: 10,
          kept: 2,
          bytes: 800,
          keptBytes: 160,
          plainBytes: 700,
          firstSeen: now,
          example: 'user 42',
        },
      ],
      overflow: { seen: 1, kept: 0, bytes: 80, plainBytes: 70 },
    },
  },
  {
    schema: 'Settings',
    method: 'PUT',
    path: '/v1/services/drift/settings',
    ok: 200,
    example: {
      budget: { bytesPerDay: 1e9 },
      floorPerMinute: 1,
      alwaysKeep: ['warn'],
      levelWeights: { debug: 0.5 },
      costPerGB: 0.5,
      baselineSeconds: 120,
      boostSeconds: 900,
      boostMaxPerSecond: 20,
      refreshSeconds: 30,
    },
  },
  {
    schema: 'Pin',
    method: 'POST',
    path: '/v1/services/drift/pins',
    ok: 201,
    example: { signature: sig(1), level: 'warn', rate: 0.5, reason: 'incident', expiresAt: now },
  },
  {
    schema: 'KeyRequest',
    method: 'POST',
    path: '/v1/keys',
    ok: 201,
    example: { scope: 'ingest', name: 'web', services: ['drift'] },
  },
  {
    schema: 'PatternForbid',
    method: 'POST',
    path: '/v1/services/drift/pattern-groups/forbid?environment=prod',
    ok: 201,
    example: { signatures: [sig(1), sig(2)] },
  },
]

describe('request bodies: the server and its /openapi.json agree', () => {
  let t: TestServer
  let schemas: Record<string, Record<string, unknown>>
  beforeAll(async () => {
    t = await startTestServer()
    const doc = (await (await t.call('/openapi.json', { key: null })).json()) as {
      components: { schemas: Record<string, Record<string, unknown>> }
    }
    schemas = doc.components.schemas
  })
  afterAll(() => t.close())

  for (const body of BODIES) {
    it(`${body.method} ${body.path}: refused (400) exactly when the ${body.schema} schema refuses it`, async () => {
      const ajv = new Ajv2020({ strict: false })
      addFormats.default(ajv)
      const validate = ajv.compile(schemas[body.schema] as object)
      expect(validate(body.example)).toBe(true)
      const mutations = fieldMutations(schemas[body.schema] as Record<string, unknown>, body.example).filter(
        (m) => isJson(m.input),
      )
      expect(mutations.length).toBeGreaterThan(10)
      const disagree: string[] = []
      for (const m of mutations) {
        const res = await t.call(body.path, { method: body.method, body: m.input })
        const answer = (await res.json()) as { error?: { field?: string } }
        const schemaOk = validate(m.input)
        const serverOk = res.status === body.ok
        // A body the schema allows may still meet a limit the document states beside it (STATS_LIMITS).
        const statedLimit = res.status === 400 && LIMITS.test(answer.error?.field ?? '')
        if (schemaOk !== serverOk && !(schemaOk && statedLimit)) {
          disagree.push(
            `${pathText(m.path)} = ${m.label}: schema ${schemaOk ? 'accepts' : 'refuses'}, server ${res.status}`,
          )
        }
        if (!serverOk) expect(res.status, pathText(m.path)).toBe(400)
      }
      expect(disagree).toEqual([])
    }, 120_000)
  }
})
