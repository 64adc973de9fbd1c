import { describe, expect, it } from 'vitest'
import { encodeJson, encodeOtlp } from './otlp.js'
import type { LogRecord } from './types.js'

const resource = { service: 'shop-web', environment: 'prod' }
const record: LogRecord = {
  time: Date.UTC(2026, 0, 2, 3, 4, 5, 678),
  level: 'info',
  severity: 9,
  message: 'cart updated',
  signature: '0123456789abcdef',
  sampleRate: 4,
  traceId: 'a'.repeat(32),
  fields: { items: 3, total: 9.5, guest: false, cart: { id: 'c1' } },
}

describe('encodeOtlp', () => {
  it('writes an OTLP/HTTP JSON logs request with resource, severity, trace id and attributes', () => {
    const body = JSON.parse(encodeOtlp([record], resource))
    const rl = body.resourceLogs[0]
    expect(rl.resource.attributes).toEqual([
      { key: 'service.name', value: { stringValue: 'shop-web' } },
      { key: 'deployment.environment', value: { stringValue: 'prod' } },
    ])
    const lr = rl.scopeLogs[0].logRecords[0]
    expect(lr).toMatchObject({
      timeUnixNano: '1767323045678000000',
      severityNumber: 9,
      severityText: 'INFO',
      body: { stringValue: 'cart updated' },
      traceId: 'a'.repeat(32),
    })
    expect(lr.attributes).toEqual([
      { key: 'logsieve.signature', value: { stringValue: '0123456789abcdef' } },
      { key: 'logsieve.sample_rate', value: { intValue: '4' } },
      { key: 'items', value: { intValue: '3' } },
      { key: 'total', value: { doubleValue: 9.5 } },
      { key: 'guest', value: { boolValue: false } },
      { key: 'cart', value: { stringValue: '{"id":"c1"}' } },
    ])
  })

  it('leaves out sample_rate for lines kept at rate 1 and survives unserializable fields', () => {
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    const body = JSON.parse(encodeOtlp([{ ...record, sampleRate: 1, fields: { cyclic } }], resource))
    const attrs = body.resourceLogs[0].scopeLogs[0].logRecords[0].attributes
    expect(attrs.map((a: { key: string }) => a.key)).toEqual(['logsieve.signature', 'cyclic'])
    expect(attrs[1].value.stringValue).toBe('[object Object]')
  })
})

describe('encodeJson', () => {
  it('writes one flat object per line, with the reserved keys winning over fields', () => {
    const body = JSON.parse(encodeJson([{ ...record, fields: { msg: 'spoof', items: 3 } }], resource))
    expect(body).toEqual({
      service: 'shop-web',
      environment: 'prod',
      lines: [
        {
          items: 3,
          time: '2026-01-02T03:04:05.678Z',
          level: 'info',
          msg: 'cart updated',
          signature: '0123456789abcdef',
          sample_rate: 4,
          trace_id: 'a'.repeat(32),
        },
      ],
    })
  })
})
