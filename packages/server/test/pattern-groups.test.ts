// Pattern merging in the server (issue 15) through real HTTP: signatures of one statement become one
// pattern with one rule, a real sampler applies it to each member, and admins' splits and forbidden merges
// stick across generations.
import { computeSignature, createSampler, type LevelName, type Policy } from '@logsieve/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from './helpers.js'

const HOSTS = ['alpha', 'beta', 'gamma', 'delta']
const host = (n: string) => `Connection to host ${n} closed by peer`
const worker = (n: string) => `Worker ${n} finished the nightly compaction job`

interface Line {
  text: string
  level: LevelName
  perMinute: number
}

const WORKLOAD: Line[] = [
  ...HOSTS.map((n, i) => ({ text: host(n), level: 'info' as const, perMinute: 6000 * (i + 1) })),
  ...HOSTS.map((n) => ({ text: worker(n), level: 'info' as const, perMinute: 600 })),
  // The same shape at another level: never in the info pattern.
  ...HOSTS.slice(0, 3).map((n) => ({ text: host(n), level: 'error' as const, perMinute: 60 })),
  { text: 'Cache warmed in background', level: 'debug', perMinute: 3000 },
]

const sigOf = (text: string) => computeSignature(text).signature

async function send(t: TestServer, service: string, lines: Line[]): Promise<void> {
  const end = Date.now()
  const res = await t.call('/v1/stats', {
    body: {
      sdk: { name: 'test', version: '0.0.0' },
      service,
      environment: 'prod',
      instance: 'host-1',
      window: { start: new Date(end - 60_000).toISOString(), end: new Date(end).toISOString() },
      patterns: lines.map((l) => {
        const s = computeSignature(l.text)
        return {
          signature: s.signature,
          level: l.level,
          template: s.template,
          seen: l.perMinute,
          kept: l.perMinute,
          bytes: l.perMinute * 200,
          keptBytes: l.perMinute * 200,
          firstSeen: new Date(end - 86_400_000).toISOString(),
        }
      }),
    },
  })
  expect(res.status).toBe(202)
}

async function generate(t: TestServer, service: string): Promise<Policy> {
  const res = await t.call(`/v1/policies/${service}/generate?environment=prod`, { method: 'POST' })
  expect([200, 201]).toContain(res.status) // 201 stored, 200 unchanged (the current policy)
  return (await res.json()).policy as Policy
}

async function setup(t: TestServer, service: string): Promise<Policy> {
  const put = await t.call(`/v1/services/${service}/settings`, {
    method: 'PUT',
    body: { budget: { reduction: 0.9 } },
  })
  expect(put.status).toBe(200)
  await send(t, service, WORKLOAD)
  return generate(t, service)
}

const patternWith = (policy: Policy, signature: string) =>
  policy.patterns?.find((p) => p.members.includes(signature))

/** Every pattern's members were all sent at one level. */
function expectOneLevelPerPattern(policy: Policy, lines: Line[]) {
  for (const p of policy.patterns ?? []) {
    const levels = new Set(lines.filter((l) => p.members.includes(sigOf(l.text))).flatMap((l) => [l.level]))
    const rule = policy.rules.find((r) => r.signature === p.id)
    expect(rule?.level).toBeDefined()
    // A member signature may exist at other levels too; the pattern's rule names its one level.
    expect(levels.has(rule!.level!)).toBe(true)
  }
}

describe('pattern merging in generated policies', () => {
  let t: TestServer
  beforeAll(async () => {
    t = await startTestServer()
  })
  afterAll(() => t.close())

  it('merges signatures of one statement into one pattern with one rule a real sampler applies', async () => {
    const policy = await setup(t, 'merge-a')
    const members = HOSTS.map((n) => sigOf(host(n)))
    const pattern = patternWith(policy, members[0]!)
    expect(pattern).toBeDefined()
    expect([...pattern!.members].sort()).toEqual([...members].sort())
    expect(pattern!.template).toBe('Connection to host <*> closed by peer')
    expect(pattern!.reason).toMatch(/takes 4 values/)
    // One rule for the pattern, none for its members; budgeted on the members' summed volume.
    const rules = policy.rules.filter((r) => r.signature === pattern!.id)
    expect(rules).toHaveLength(1)
    expect(rules[0]).toMatchObject({ level: 'info', reason: 'budget' })
    expect(rules[0]!.rate).toBeLessThan(1)
    expect(policy.rules.filter((r) => members.includes(r.signature) && r.level === 'info')).toEqual([])
    expectOneLevelPerPattern(policy, WORKLOAD)
    // The error lines of the same shape form their own pattern, never the info one, and stay kept.
    const errorPattern = policy.patterns?.find((p) => p.id !== pattern!.id && p.members.includes(members[0]!))
    expect(errorPattern?.members).toHaveLength(3)
    expect(policy.rules.filter((r) => r.signature === errorPattern!.id)).toEqual([
      expect.objectContaining({ level: 'error', rate: 1, reason: 'level' }),
    ])
    // A real sampler: after the minute's floor line, each member gets the pattern's rate.
    const sampler = createSampler({ policy, random: () => 0 })
    for (const n of HOSTS) {
      sampler.decide('info', host(n))
      const d = sampler.decide('info', host(n))
      expect({ n, rate: d.rate, reason: d.reason }).toEqual({ n, rate: rules[0]!.rate, reason: 'rule' })
      const e = sampler.decide('error', host(n))
      expect({ n, keep: e.keep, rate: e.rate }).toEqual({ n, keep: true, rate: 1 })
    }

    // The admin API lists it, with its members, template and reason.
    const res = await t.call('/v1/services/merge-a/pattern-groups?environment=prod')
    expect(res.status).toBe(200)
    const listed = await res.json()
    expect(listed.policyVersion).toBe(policy.version)
    const entry = listed.patterns.find((p: { id: string }) => p.id === pattern!.id)
    expect(entry).toMatchObject({ level: 'info', template: pattern!.template, reason: pattern!.reason })
    expect([...entry.members].sort()).toEqual([...members].sort())
  })

  it('keeps pattern ids across generations and lets new members join', async () => {
    const first = await setup(t, 'merge-b')
    const id = patternWith(first, sigOf(host('alpha')))!.id
    await send(t, 'merge-b', [...WORKLOAD, { text: host('epsilon'), level: 'info', perMinute: 500 }])
    const second = await generate(t, 'merge-b')
    expect(second.version).toBeGreaterThan(first.version)
    const pattern = patternWith(second, sigOf(host('epsilon')))
    expect(pattern?.id).toBe(id)
    expect(pattern?.members).toHaveLength(5)
    const worker1 = patternWith(first, sigOf(worker('alpha')))!.id
    expect(patternWith(second, sigOf(worker('alpha')))?.id).toBe(worker1)
  })

  it("stores no new version when only the members' shares of a pattern moved", async () => {
    const first = await setup(t, 'merge-f')
    await send(t, 'merge-f', WORKLOAD)
    const second = await generate(t, 'merge-f')
    // The same total, spread the other way round over the members and over the two patterns' order.
    const moved = WORKLOAD.map((l, i) =>
      i < HOSTS.length ? { ...l, perMinute: 6000 * (HOSTS.length - i) } : l,
    )
    await send(t, 'merge-f', moved)
    const res = await t.call('/v1/policies/merge-f/generate?environment=prod', { method: 'POST' })
    expect(res.status).toBe(200)
    const third = (await res.json()).policy as Policy
    expect(third.version).toBe(second.version)
    expect(third.patterns?.map((p) => p.id).sort()).toEqual(first.patterns?.map((p) => p.id).sort())
  })

  it('splits a pattern and it stays split until the split is deleted', async () => {
    const first = await setup(t, 'merge-c')
    const pattern = patternWith(first, sigOf(host('alpha')))!
    const split = await t.call('/v1/services/merge-c/pattern-groups/split?environment=prod', {
      body: { pattern: pattern.id },
    })
    expect(split.status).toBe(201)
    const separation = await split.json()
    expect(separation).toMatchObject({ kind: 'split', pattern: pattern.id })
    expect([...separation.signatures].sort()).toEqual([...pattern.members].sort())

    await send(t, 'merge-c', WORKLOAD)
    const second = await generate(t, 'merge-c')
    for (const p of second.patterns ?? [])
      expect(p.members.filter((m) => pattern.members.includes(m)).length).toBeLessThan(2)
    // Each member is budgeted on its own again.
    for (const m of pattern.members)
      expect(second.rules.some((r) => r.signature === m && r.level === 'info')).toBe(true)
    // It sticks through another generation.
    await send(t, 'merge-c', WORKLOAD)
    const third = await generate(t, 'merge-c')
    expect(patternWith(third, pattern.members[0]!)?.members.includes(pattern.members[1]!) ?? false).toBe(
      false,
    )

    const listed = await (await t.call('/v1/services/merge-c/pattern-groups?environment=prod')).json()
    expect(listed.separations.map((s: { id: number }) => s.id)).toEqual([separation.id])
    const del = `/v1/services/merge-c/pattern-groups/separations/${separation.id}?environment=prod`
    expect((await t.call(del, { method: 'DELETE' })).status).toBe(200)
    expect((await t.call(del, { method: 'DELETE' })).status).toBe(404)
    await send(t, 'merge-c', WORKLOAD)
    const fourth = await generate(t, 'merge-c')
    expect(patternWith(fourth, pattern.members[0]!)?.id).toBe(pattern.id)
  })

  it('never merges a forbidden pair again', async () => {
    const first = await setup(t, 'merge-d')
    const a = sigOf(worker('alpha'))
    const b = sigOf(worker('beta'))
    expect(patternWith(first, a)?.members).toContain(b)
    const forbid = await t.call('/v1/services/merge-d/pattern-groups/forbid?environment=prod', {
      body: { signatures: [a, b] },
    })
    expect(forbid.status).toBe(201)
    for (let run = 0; run < 2; run++) {
      await send(t, 'merge-d', WORKLOAD)
      const policy = await generate(t, 'merge-d')
      expect(patternWith(policy, a)?.members.includes(b) ?? false).toBe(false)
      // The rest of the statement still merges.
      expect(patternWith(policy, sigOf(worker('gamma')))?.members).toContain(sigOf(worker('delta')))
    }
  })

  it('answers 400 naming the field, 404 for unknown patterns, 403 outside the key scope', async () => {
    await setup(t, 'merge-e')
    const base = '/v1/services/merge-e/pattern-groups'
    const field = async (res: Response, status: number) => {
      expect(res.status).toBe(status)
      return (await res.json()).error.field
    }
    expect(await field(await t.call(`${base}/split`, { body: { pattern: 'xyz' } }), 400)).toBe('pattern')
    expect(await field(await t.call(`${base}/split`, { body: [1] }), 400)).toBeUndefined()
    expect(await field(await t.call(`${base}/forbid`, { body: { signatures: [sigOf('a b')] } }), 400)).toBe(
      'signatures',
    )
    expect(
      await field(await t.call(`${base}/forbid`, { body: { signatures: [sigOf('a b'), 'nope'] } }), 400),
    ).toBe('signatures[1]')
    expect(await field(await t.call(`${base}/split`, { body: { pattern: '0'.repeat(16) } }), 404)).toBe(
      'pattern',
    )
    expect(await field(await t.call(`${base}/separations/x`, { method: 'DELETE' }), 400)).toBe('id')
    expect(await field(await t.call(`${base}?environment=bad env`), 400)).toBe('environment')
    const doc = await (await t.call('/openapi.json', { key: null })).json()
    for (const path of ['', '/split', '/forbid', '/separations/{id}'])
      expect(Object.keys(doc.paths)).toContain(`/v1/services/{service}/pattern-groups${path}`)
    const ingest = await t.server.createKey('ingest', ['merge-e'])
    expect((await t.call(base, { key: ingest })).status).toBe(403)
    const other = await t.server.createKey('admin', ['someone-else'])
    expect((await t.call(base, { key: other })).status).toBe(403)
    expect((await t.call(`${base}/split`, { key: other, body: { pattern: '0'.repeat(16) } })).status).toBe(
      403,
    )
  })
})
