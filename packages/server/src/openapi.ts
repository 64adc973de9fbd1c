// The OpenAPI 3.1 document served at /openapi.json. Request and response bodies are the JSON Schema the
// wire contract's definitions carry (core's check.ts): the routes validate with those same definitions,
// so the document cannot drift from validation.
import {
  keyRequestDefinition,
  patternForbidDefinition,
  patternSplitDefinition,
  pinDefinition,
  policyDefinition,
  settingsDefinition,
  statsBatchDefinition,
} from '@logsieve/core'
import { STATS_LIMITS } from './stats-limits.js'
import { SERVER_VERSION } from './version.js'

type Op = Record<string, unknown>

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` })
const json = (schema: unknown) => ({ content: { 'application/json': { schema } } })
const errors = (...codes: number[]) =>
  Object.fromEntries(codes.map((s) => [String(s), { description: 'error', ...json(ref('Error')) }]))
const q = (name: string, description: string, required = false) => ({
  name,
  in: 'query',
  required,
  description,
  schema: { type: 'string' },
})
const p = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'string' } })
const env = q('environment', 'Environment (default: "default")')

function op(
  summary: string,
  scope: 'ingest' | 'admin' | null,
  extra: Op,
  ok: Record<string, unknown> = { 200: { description: 'ok' } },
): Op {
  return {
    summary,
    ...(scope ? { security: [{ bearer: [] }], 'x-logsieve-scope': scope } : {}),
    ...extra,
    responses: { ...ok, ...errors(...(scope ? [400, 401, 403, 404, 429] : [])) },
  }
}

let cached: Record<string, unknown> | undefined

export function openApiDocument(): Record<string, unknown> {
  if (cached) return cached
  const svc = p('service')
  cached = {
    openapi: '3.1.0',
    info: { title: 'Logsieve policy server', version: SERVER_VERSION },
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description:
            'API key (lsk_…); ?apiKey= also accepted on ingest routes. A viewer key may call every GET route and nothing else (403).',
        },
      },
      schemas: {
        StatsBatch: { ...statsBatchDefinition.json, description: STATS_LIMITS },
        Policy: policyDefinition.json,
        Settings: settingsDefinition.json,
        Pin: pinDefinition.json,
        PatternSplit: patternSplitDefinition.json,
        PatternForbid: patternForbidDefinition.json,
        KeyRequest: keyRequestDefinition.json,
        TimeSeries: {
          type: 'object',
          required: ['service', 'environment', 'resolution', 'since', 'points', 'versions'],
          properties: {
            service: { type: 'string' },
            environment: { type: 'string' },
            resolution: { enum: ['minute', 'hour'] },
            since: { type: 'string', format: 'date-time' },
            points: {
              type: 'array',
              items: {
                type: 'object',
                required: ['t', 'seen', 'kept', 'bytes', 'keptBytes', 'plainBytes'],
                properties: {
                  t: { type: 'integer', description: 'start of the minute or hour, ms since epoch' },
                  seen: { type: 'number' },
                  kept: { type: 'number' },
                  bytes: { type: 'number', description: 'written bytes of all seen lines' },
                  keptBytes: { type: 'number', description: 'written bytes of kept lines' },
                  plainBytes: {
                    type: 'number',
                    description: 'bytes of all seen lines as the plain logger writes them',
                  },
                },
              },
            },
            versions: {
              type: 'array',
              items: {
                type: 'object',
                required: ['version', 'source', 'createdAt'],
                properties: {
                  version: { type: 'integer' },
                  source: { type: 'string' },
                  createdAt: { type: 'string', format: 'date-time' },
                },
              },
            },
          },
        },
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: {
                code: { type: 'string' },
                message: { type: 'string' },
                field: { type: 'string' },
              },
            },
          },
        },
      },
    },
    paths: {
      '/v1/stats': {
        post: op(
          'Send a stats batch (JSON, gzip allowed)',
          'ingest',
          { requestBody: json(ref('StatsBatch')) },
          {
            202: { description: 'accepted' },
            ...errors(413, 415),
          },
        ),
      },
      '/v1/policies/{service}': {
        get: op(
          'Current policy (ETag / If-None-Match → 304)',
          'ingest',
          { parameters: [svc, env] },
          {
            200: { description: 'policy', ...json(ref('Policy')) },
            304: { description: 'not modified' },
          },
        ),
        put: op('Validate (?dryRun=true) or apply a full policy document', 'admin', {
          parameters: [svc, env, q('dryRun', 'validate only')],
          requestBody: json(ref('Policy')),
        }),
      },
      '/v1/policies/{service}/stream': {
        get: op('Server-sent events: `policy` events carrying each new version', 'ingest', {
          parameters: [svc, env],
        }),
      },
      '/v1/policies/{service}/history': {
        get: op('Version history', 'admin', {
          parameters: [svc, env, q('limit', 'at most this many, newest first')],
        }),
      },
      '/v1/policies/{service}/versions/{version}': {
        get: op('One version', 'admin', { parameters: [svc, p('version'), env] }),
      },
      '/v1/policies/{service}/diff': {
        get: op('Diff between two versions', 'admin', {
          parameters: [svc, env, q('from', 'version'), q('to', 'version')],
        }),
      },
      '/v1/policies/{service}/generate': {
        post: op('Generate now; ?dryRun=true returns the would-be policy', 'admin', {
          parameters: [svc, env, q('dryRun', 'do not store')],
        }),
      },
      '/v1/policies/{service}/rollback/{version}': {
        post: op('Store a copy of an old version as the new current version', 'admin', {
          parameters: [svc, p('version'), env],
        }),
      },
      '/v1/services': { get: op('Known services and environments', 'admin', {}) },
      '/v1/patterns': {
        get: op('Patterns of a service: volumes, rates, kept and projected bytes', 'admin', {
          parameters: [q('service', 'service', true), env, q('limit', 'at most this many')],
        }),
      },
      '/v1/services/{service}/timeseries': {
        get: op(
          'Plain, written and kept bytes of a service per minute (last 24 h) or per hour (last 7 days), with the policy versions published in that span',
          'admin',
          { parameters: [svc, env, q('resolution', '"minute" (default) or "hour"')] },
          { 200: { description: 'time series', ...json(ref('TimeSeries')) } },
        ),
      },
      '/v1/services/{service}/settings': {
        get: op('Generation settings', 'admin', { parameters: [svc] }),
        put: op('Replace generation settings', 'admin', {
          parameters: [svc],
          requestBody: json(ref('Settings')),
        }),
      },
      '/v1/services/{service}/pins': {
        get: op('Pinned rules', 'admin', { parameters: [svc] }),
        post: op(
          'Pin a rule',
          'admin',
          { parameters: [svc], requestBody: json(ref('Pin')) },
          { 201: { description: 'created' } },
        ),
      },
      '/v1/services/{service}/pins/{id}': {
        delete: op('Delete a pin', 'admin', { parameters: [svc, p('id')] }),
      },
      '/v1/services/{service}/pattern-groups': {
        get: op('Merged patterns (id, level, template, reason, members) and the separations kept', 'admin', {
          parameters: [svc, env],
        }),
      },
      '/v1/services/{service}/pattern-groups/split': {
        post: op(
          'Split a pattern: its members never share a pattern again (body { pattern: id })',
          'admin',
          { parameters: [svc, env], requestBody: json(ref('PatternSplit')) },
          { 201: { description: 'created' } },
        ),
      },
      '/v1/services/{service}/pattern-groups/forbid': {
        post: op(
          'Forbid a merge: two signatures never share a pattern (body { signatures: [a, b] })',
          'admin',
          { parameters: [svc, env], requestBody: json(ref('PatternForbid')) },
          { 201: { description: 'created' } },
        ),
      },
      '/v1/services/{service}/pattern-groups/separations/{id}': {
        delete: op('Undo a split or a forbidden merge', 'admin', { parameters: [svc, p('id'), env] }),
      },
      '/v1/keys': {
        get: op('List API keys (never the secrets)', 'admin', {}),
        post: op(
          'Create an API key; the key is in the response only',
          'admin',
          { requestBody: json(ref('KeyRequest')) },
          { 201: { description: 'created' } },
        ),
      },
      '/v1/keys/{id}': { delete: op('Revoke an API key', 'admin', { parameters: [p('id')] }) },
      '/health': { get: op('Liveness', null, {}) },
      '/ready': { get: op('Readiness (database reachable)', null, {}) },
      '/version': { get: op('Server and schema version', null, {}) },
      '/metrics': { get: op('Prometheus metrics', null, {}) },
    },
  }
  return cached
}
