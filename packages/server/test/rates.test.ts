// The rate /v1/patterns reports is the rate SDKs sample at: for every decision-order case (always-kept
// levels, a warn rule overriding always-keep, own-level and any-level rules live or expired, level
// defaults, newPattern) a real server over HTTP answers what a real sampler decides under the same policy.
import {
  computeSignature,
  createSampler,
  LEVEL_NAMES,
  type LevelName,
  type Policy,
  type PolicyInput,
} from '@logsieve/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from './helpers.js'

const HOUR = 3_600_000
type State = 'none' | 'live' | 'expired'
const STATES: State[] = ['none', 'live', 'expired']
const letters = (n: number) =>
  [...n.toString(20)].map((d) => String.fromCharCode(103 + Number.parseInt(d, 20))).join('')

interface Case {
  level: LevelName
  own: State
  any: State
  text: string
  signature: string
}
const CASES: Case[] = []
for (const level of LEVEL_NAMES)
  for (const own of STATES)
    for (const any of STATES) {
      const text = `served rate case ${letters(CASES.length)}`
      CASES.push({ level, own, any, text, signature: computeSignature(text).signature })
    }

function rules(now: number): NonNullable<PolicyInput['rules']> {
  const past = new Date(now - HOUR).toISOString()
  const future = new Date(now + HOUR).toISOString()
  return CASES.flatMap((c) => [
    ...(c.own === 'none'
      ? []
      : [
          {
            signature: c.signature,
            level: c.level,
            rate: c.level === 'error' || c.level === 'fatal' ? 1 : 0.25,
            reason: 'pin' as const,
            expiresAt: c.own === 'live' ? future : past,
          },
        ]),
    ...(c.any === 'none'
      ? []
      : [
          {
            signature: c.signature,
            rate: 0.625,
            reason: 'budget' as const,
            ...(c.any === 'expired' ? { expiresAt: past } : {}),
          },
        ]),
  ])
}

const DEFAULTS: Record<string, NonNullable<PolicyInput['defaults']>> = {
  'rates-a': { levels: { debug: 0.125, warn: 0.375 }, newPattern: { rate: 0.5, maxPerSecond: 5 } },
  'rates-b': { alwaysKeep: ['info', 'error'] },
  'rates-c': { alwaysKeep: [], levels: { trace: 0.0625 } },
}

let t: TestServer
beforeAll(async () => {
  t = await startTestServer()
})
afterAll(async () => {
  await t?.close()
})

describe('GET /v1/patterns rate and reason', () => {
  it('reports a pinned warn pattern at the pin’s rate, as SDKs sample it (finding 13)', async () => {
    const c = CASES.find((x) => x.level === 'warn' && x.own === 'live' && x.any === 'none') as Case
    const doc = {
      rules: [
        {
          signature: c.signature,
          level: 'warn',
          rate: 0.25,
          reason: 'pin',
          expiresAt: new Date(Date.now() + HOUR).toISOString(),
        },
      ],
    }
    expect((await t.call('/v1/policies/pinned?environment=prod', { method: 'PUT', body: doc })).status).toBe(
      201,
    )
    await postStats(t, 'pinned', [c])
    const res = await t.call('/v1/patterns?service=pinned&environment=prod')
    expect(res.status).toBe(200)
    const [p] = (await res.json()).patterns
    expect(p).toMatchObject({ signature: c.signature, level: 'warn', rate: 0.25, reason: 'rule' })
  })

  for (const [service, defaults] of Object.entries(DEFAULTS)) {
    it(`equals the sampler's decision in every case: ${JSON.stringify(defaults)}`, async () => {
      const put = await t.call(`/v1/policies/${service}?environment=prod`, {
        method: 'PUT',
        body: { defaults: { floorPerMinute: 0, ...defaults }, rules: rules(Date.now()) },
      })
      expect(put.status).toBe(201)
      const policy = (await put.json()).policy as Policy
      await postStats(t, service, CASES)
      const res = await t.call(`/v1/patterns?service=${service}&environment=prod`)
      expect(res.status).toBe(200)
      const reported = new Map<string, { rate: number; reason: string }>(
        (await res.json()).patterns.map(
          (p: { signature: string; level: string; rate: number; reason: string }) => [
            `${p.signature} ${p.level}`,
            { rate: p.rate, reason: p.reason },
          ],
        ),
      )
      expect(reported.size).toBe(CASES.length)
      for (const c of CASES) {
        // A fresh sampler per case: no floor, no bucket state, a draw that keeps any rate above 0.
        const d = createSampler({ policy, random: () => 0 }).decide(c.level, c.text)
        expect({ ...c, ...reported.get(`${c.signature} ${c.level}`) }).toEqual({
          ...c,
          rate: d.rate,
          reason: d.reason,
        })
      }
    })
  }
})

async function postStats(t: TestServer, service: string, cases: Case[]): Promise<void> {
  const end = Date.now()
  const res = await t.call('/v1/stats', {
    body: {
      sdk: { name: 'test', version: '0.0.0' },
      service,
      environment: 'prod',
      instance: 'host-1',
      window: { start: new Date(end - 60_000).toISOString(), end: new Date(end).toISOString() },
      patterns: cases.map((c) => ({
        signature: c.signature,
        level: c.level,
        template: c.text,
        seen: 60,
        kept: 60,
        bytes: 6000,
      })),
    },
  })
  expect(res.status).toBe(202)
}
