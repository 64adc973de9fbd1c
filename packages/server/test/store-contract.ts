// The Store contract: what every engine must do, run unchanged against SQLite and PostgreSQL
// (sqlite-store.test.ts, postgres-store.test.ts). Shared-store behaviour runs where the store is shared.
import { type Policy, patternKey } from '@logsieve/core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { titled } from '../../../test/support/requirement.js'
import type { Pending } from '../src/stats-aggregator.js'
import { isShared, type MinuteStats, type PatternMeta, type Store } from '../src/store/types.js'
import { sig } from './helpers.js'

export interface StoreFactory {
  /** A fresh, empty store. */
  open(): Promise<{ store: Store; dispose(): Promise<void> }>
}

const MIN = 60_000
const T0 = Date.UTC(2026, 0, 1, 10, 0, 0)

const row = (i: number, minute: number, seen: number, service = 'svc'): MinuteStats => ({
  service,
  environment: 'prod',
  signature: sig(i),
  level: 'info',
  minute,
  seen,
  kept: Math.floor(seen / 2),
  bytes: seen * 100.5,
  keptBytes: Math.floor(seen / 2) * 100.5,
  plainBytes: seen * 60.5,
})

const meta = (i: number, firstSeen: number, lastSeen: number, example: string | null): PatternMeta => ({
  service: 'svc',
  environment: 'prod',
  signature: sig(i),
  level: 'info',
  template: `pattern ${i} <*>`,
  example,
  firstSeen,
  lastSeen,
})

const policy = (rate: number, service = 'svc'): Omit<Policy, 'version'> =>
  ({
    schemaVersion: 1,
    service,
    environment: 'prod',
    source: 'manual',
    createdAt: new Date(T0).toISOString(),
    author: 'contract',
    reason: `rate ${rate}`,
    defaults: { trace: 0, debug: 0.1, info: 1, warn: 1, error: 1, fatal: 1 },
    rules: [{ signature: sig(1), rate, reason: 'manual' }],
  }) as unknown as Omit<Policy, 'version'>

const pending = (seen: number, instance: string, start: number): Pending => ({
  patterns: new Map([
    [
      patternKey(sig(1), 'info'),
      {
        signature: sig(1),
        level: 'info',
        seen,
        kept: seen - 1,
        bytes: seen * 10,
        plainBytes: seen * 6,
        backfilled: 1,
      },
    ],
  ]),
  instances: new Map([[instance, { start, end: start + MIN, seen }]]),
  batches: 1,
  since: undefined,
})

export function storeContract(engine: string, factory: StoreFactory, skip?: string): void {
  describe.skipIf(skip !== undefined)(titled(`Store contract (${engine})`, skip), () => {
    let store: Store
    let dispose: () => Promise<void>
    beforeEach(async () => {
      ;({ store, dispose } = await factory.open())
    })
    afterEach(async () => {
      await store.close()
      await dispose()
    })

    it('stores, finds, lists and revokes keys', async () => {
      expect(await store.hasAdminKey()).toBe(false)
      const base = { hash: 'ab'.repeat(32), revokedAt: null }
      await store.insertKey({
        ...base,
        id: 'k1',
        name: 'one',
        scope: 'ingest',
        services: ['a', 'b'],
        createdAt: T0,
      })
      await store.insertKey({
        ...base,
        id: 'k2',
        name: 'two',
        scope: 'admin',
        services: null,
        createdAt: T0 + 1,
      })
      expect(await store.hasAdminKey()).toBe(true)
      expect(await store.getKey('k1')).toEqual({
        ...base,
        id: 'k1',
        name: 'one',
        scope: 'ingest',
        services: ['a', 'b'],
        createdAt: T0,
      })
      expect(await store.getKey('nope')).toBeUndefined()
      expect((await store.listKeys()).map((k) => k.id)).toEqual(['k1', 'k2'])
      expect(await store.revokeKey('k2', T0 + 5)).toBe(true)
      expect(await store.revokeKey('k2', T0 + 6)).toBe(false)
      expect(await store.revokeKey('nope', T0)).toBe(false)
      expect((await store.getKey('k2'))!.revokedAt).toBe(T0 + 5)
      expect(await store.hasAdminKey()).toBe(false)
    })

    it('adds stats across writes and keeps the widest pattern metadata', async () => {
      await store.writeStats(
        [row(1, T0, 10), row(2, T0, 4)],
        [meta(1, T0, T0 + 10, 'first'), meta(2, T0, T0, null)],
      )
      await store.writeStats([row(1, T0, 5), row(1, T0 + MIN, 7)], [meta(1, T0 - 50, T0 + 5, null)])
      const totals = await store.patternTotals('svc', 'prod', T0)
      const one = totals.find((t) => t.signature === sig(1))!
      expect(one).toEqual({
        signature: sig(1),
        level: 'info',
        seen: 22,
        kept: 5 + 2 + 3,
        bytes: 22 * 100.5,
        keptBytes: 10 * 100.5,
        plainBytes: 22 * 60.5,
      })
      expect((await store.patternTotals('svc', 'prod', T0 + MIN)).map((t) => t.seen)).toEqual([7])
      const patterns = await store.listPatterns('svc', 'prod')
      const p1 = patterns.find((p) => p.signature === sig(1))!
      expect(p1).toMatchObject({
        template: 'pattern 1 <*>',
        example: 'first',
        firstSeen: T0 - 50,
        lastSeen: T0 + 10,
      })
      expect(p1.emaRate).toBeUndefined()
      expect(await store.listPatterns('svc', 'other')).toEqual([])
      expect(await store.listServices()).toEqual([
        { service: 'svc', environment: 'prod', firstSeen: T0 - 50, lastSeen: T0 + 10, patterns: 2 },
      ])
    })

    it('keeps pattern states written by a generation', async () => {
      await store.writeStats([row(1, T0, 1)], [meta(1, T0, T0, null)])
      const state = {
        signature: sig(1),
        level: 'info' as const,
        emaRate: 1.5,
        emaVar: 0.25,
        bytesPerEvent: 99.5,
        plainBytesPerEvent: 59.5,
        samples: 3,
        updatedAt: T0 + 9,
      }
      await store.updatePatternStates('svc', 'prod', [state])
      expect((await store.listPatterns('svc', 'prod'))[0]).toMatchObject({
        emaRate: 1.5,
        emaVar: 0.25,
        bytesPerEvent: 99.5,
        plainBytesPerEvent: 59.5,
        samples: 3,
        updatedAt: T0 + 9,
      })
    })

    it('numbers policy versions from 1 per service and returns them byte for byte', async () => {
      const v1 = await store.insertPolicy(policy(0.5))
      const v2 = await store.insertPolicy(policy(0.25))
      const other = await store.insertPolicy(policy(1, 'other'))
      expect([v1.version, v2.version, other.version]).toEqual([1, 2, 1])
      expect(JSON.stringify(await store.latestPolicy('svc', 'prod'))).toBe(JSON.stringify(v2))
      expect(await store.getPolicy('svc', 'prod', 1)).toEqual(v1)
      expect(await store.getPolicy('svc', 'prod', 3)).toBeUndefined()
      expect(await store.latestPolicy('svc', 'staging')).toBeUndefined()
      const list = await store.listPolicies('svc', 'prod', 1)
      expect(list).toEqual([
        {
          version: 2,
          source: 'manual',
          author: 'contract',
          reason: 'rate 0.25',
          createdAt: new Date(T0).toISOString(),
          rules: 1,
          projection: undefined,
        },
      ])
    })

    it('gives concurrent writers unique, contiguous versions', async () => {
      const stored = await Promise.all(
        Array.from({ length: 25 }, (_, i) => store.insertPolicy(policy(1 / (i + 1)))),
      )
      expect(stored.map((p) => p.version).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 25 }, (_, i) => i + 1),
      )
      expect((await store.latestPolicy('svc', 'prod'))!.version).toBe(25)
    })

    it('stores settings and pins per service', async () => {
      expect(await store.getSettings('svc')).toBeUndefined()
      const settings = { budget: { bytesPerDay: 1000 } } as never
      await store.putSettings('svc', settings)
      await store.putSettings('svc', { budget: { bytesPerDay: 2000 } } as never)
      expect(await store.getSettings('svc')).toEqual({ budget: { bytesPerDay: 2000 } })
      const a = await store.insertPin('svc', { signature: sig(1), rate: 1, reason: 'debugging' }, 'ann', T0)
      const b = await store.insertPin(
        'svc',
        {
          signature: sig(2),
          level: 'warn',
          rate: 0.5,
          reason: 'why',
          expiresAt: new Date(T0 + MIN).toISOString(),
        },
        undefined,
        T0,
      )
      await store.insertPin('elsewhere', { signature: sig(3), rate: 1, reason: 'x' }, undefined, T0)
      expect(a).toEqual({
        id: a.id,
        service: 'svc',
        signature: sig(1),
        rate: 1,
        reason: 'debugging',
        author: 'ann',
        createdAt: new Date(T0).toISOString(),
        expiresAt: null,
      })
      expect(b.level).toBe('warn')
      expect((await store.listPins('svc')).map((p) => p.id)).toEqual([a.id, b.id])
      expect(await store.deletePin('elsewhere', a.id)).toBe(false)
      expect(await store.deletePin('svc', a.id)).toBe(true)
      expect((await store.listPins('svc')).map((p) => p.signature)).toEqual([sig(2)])
    })

    it('stores pattern separations per service and environment', async () => {
      expect(await store.listSeparations('svc', 'prod')).toEqual([])
      const split = { kind: 'split' as const, pattern: sig(9), signatures: [sig(1), sig(2), sig(3)] }
      const a = await store.insertSeparation('svc', 'prod', split, 'ann', T0)
      const forbid = { kind: 'forbid' as const, pattern: undefined, signatures: [sig(4), sig(5)] }
      const b = await store.insertSeparation('svc', 'prod', forbid, undefined, T0 + MIN)
      await store.insertSeparation('svc', 'dev', forbid, undefined, T0)
      await store.insertSeparation('elsewhere', 'prod', forbid, undefined, T0)
      expect(a).toEqual({
        id: a.id,
        service: 'svc',
        environment: 'prod',
        ...split,
        author: 'ann',
        createdAt: new Date(T0).toISOString(),
      })
      expect(await store.listSeparations('svc', 'prod')).toEqual([a, { ...b, ...forbid }])
      expect(b).toMatchObject({ pattern: undefined, author: undefined })
      expect(await store.deleteSeparation('svc', 'dev', a.id)).toBe(false)
      expect(await store.deleteSeparation('elsewhere', 'prod', a.id)).toBe(false)
      expect(await store.deleteSeparation('svc', 'prod', a.id)).toBe(true)
      expect(await store.deleteSeparation('svc', 'prod', a.id)).toBe(false)
      expect((await store.listSeparations('svc', 'prod')).map((s) => s.id)).toEqual([b.id])
      expect(await store.listSeparations('svc', 'dev')).toHaveLength(1)
    })

    it('rolls old minutes into hours and drops old hours', async () => {
      const H = 3_600_000
      await store.writeStats([row(1, T0, 3), row(1, T0 + MIN, 4), row(1, T0 + 2 * H, 5)], [])
      expect(await store.rollup(T0 + H, T0 - H)).toMatchObject({ rolledUp: 2, deleted: 0 })
      expect((await store.patternTotals('svc', 'prod', 0)).map((t) => t.seen)).toEqual([5])
      expect(await store.rollup(T0 + H, T0 + H)).toMatchObject({ rolledUp: 0, deleted: 1 })
    })

    it('saturates stored counts, pages patterns in key order, sums overflow and prunes unseen patterns', async () => {
      const cap = 2 ** 43
      await store.writeStats([{ ...row(9, T0, cap - 1, 'sat') }], [])
      await store.writeStats([{ ...row(9, T0, 2 ** 40, 'sat') }], [])
      expect((await store.patternTotals('sat', 'prod', 0)).map((t) => t.seen)).toEqual([cap])
      const metas = [3, 1, 2].map((i) => ({ ...meta(i, T0, T0 + i, null), service: 'paged' }))
      await store.writeStats([], metas, undefined, [
        { service: 'paged', environment: 'prod', minute: T0, seen: 4, kept: 1, bytes: 40, keptBytes: 10 },
        { service: 'paged', environment: 'prod', minute: T0, seen: 6, kept: 1, bytes: 60, keptBytes: 10 },
      ])
      const first = await store.listPatterns('paged', 'prod', { limit: 2 })
      expect(first.map((p) => p.signature)).toEqual([sig(1), sig(2)])
      const rest = await store.listPatterns('paged', 'prod', { after: first[1]!, limit: 2 })
      expect(rest.map((p) => p.signature)).toEqual([sig(3)])
      expect(await store.overflowTotals(T0)).toEqual([
        { service: 'paged', environment: 'prod', seen: 10, kept: 2, bytes: 100, keptBytes: 20 },
      ])
      await store.rollup(T0 + 3, 0)
      expect((await store.listPatterns('paged', 'prod')).map((p) => p.signature)).toEqual([sig(3)])
      expect(await store.overflowTotals(0)).toEqual([])
    })

    it("reads a table's columns of every pattern, and the records and totals of some signatures", async () => {
      const warn = (i: number): PatternMeta => ({ ...meta(i, T0, T0 + 2, null), level: 'warn' })
      await store.writeStats(
        [row(1, T0, 3), row(2, T0, 4), row(3, T0, 5), { ...row(2, T0, 6), level: 'warn' }],
        [meta(3, T0, T0 + 3, 'three'), meta(1, T0, T0 + 1, 'one'), meta(2, T0, T0 + 2, 'two'), warn(2)],
      )
      const state = { emaVar: 0, samples: 1, updatedAt: T0 }
      await store.updatePatternStates('svc', 'prod', [
        {
          ...state,
          signature: sig(2),
          level: 'info',
          emaRate: 2.5,
          bytesPerEvent: 90,
          plainBytesPerEvent: 50,
        },
      ])
      expect(await store.patternColumns('svc', 'prod')).toEqual([
        { signature: sig(1), level: 'info', template: 'pattern 1 <*>', firstSeen: T0, lastSeen: T0 + 1 },
        {
          signature: sig(2),
          level: 'info',
          template: 'pattern 2 <*>',
          firstSeen: T0,
          lastSeen: T0 + 2,
          emaRate: 2.5,
          bytesPerEvent: 90,
          plainBytesPerEvent: 50,
        },
        { signature: sig(2), level: 'warn', template: 'pattern 2 <*>', firstSeen: T0, lastSeen: T0 + 2 },
        { signature: sig(3), level: 'info', template: 'pattern 3 <*>', firstSeen: T0, lastSeen: T0 + 3 },
      ])
      expect(await store.patternColumns('svc', 'other')).toEqual([])
      const picked = await store.listPatterns('svc', 'prod', {
        signatures: [sig(3), sig(2), 'ffffffffffffffff'],
      })
      expect(picked.map((p) => [p.signature, p.level, p.example])).toEqual([
        [sig(2), 'info', 'two'],
        [sig(2), 'warn', null],
        [sig(3), 'info', 'three'],
      ])
      expect(await store.listPatterns('svc', 'prod', { signatures: [] })).toEqual([])
      const totals = await store.patternTotals('svc', 'prod', T0, [sig(2)])
      expect(totals.map((t) => [t.level, t.seen, t.kept, t.bytes, t.keptBytes, t.plainBytes]).sort()).toEqual(
        [
          ['info', 4, 2, 4 * 100.5, 2 * 100.5, 4 * 60.5],
          ['warn', 6, 3, 6 * 100.5, 3 * 100.5, 6 * 60.5],
        ],
      )
      expect(await store.patternTotals('svc', 'prod', T0, [])).toEqual([])
      expect(await store.patternTotals('svc', 'prod', T0 + MIN, [sig(2)])).toEqual([])
    })

    it('answers time series per minute and per hour, hours folding unrolled minutes in', async () => {
      const H = 3_600_000
      await store.writeStats([row(1, T0, 3), row(2, T0, 4), row(1, T0 + MIN, 5), row(1, T0 + 2 * H, 6)], [])
      await store.writeStats([row(1, T0, 1, 'other')], [])
      const minutes = await store.timeSeries('svc', 'prod', 'minute', T0 + MIN)
      expect(minutes.map((p) => [p.t, p.seen, p.kept])).toEqual([
        [T0 + MIN, 5, 2],
        [T0 + 2 * H, 6, 3],
      ])
      expect(minutes[0]).toMatchObject({ bytes: 5 * 100.5, keptBytes: 2 * 100.5, plainBytes: 5 * 60.5 })
      await store.rollup(T0 + H, 0)
      const hours = await store.timeSeries('svc', 'prod', 'hour', 0)
      expect(hours.map((p) => [p.t, p.seen])).toEqual([
        [T0, 12],
        [T0 + 2 * H, 6],
      ])
      expect(await store.patternHours('svc', 'prod', [sig(1)], 0)).toEqual([
        { signature: sig(1), level: 'info', hour: T0 + 2 * H, seen: 6 },
      ])
      expect(await store.patternHours('svc', 'prod', [], 0)).toEqual([])
    })

    it('stores dashboard sessions by hash and drops expired ones', async () => {
      const session = {
        idHash: 'ab'.repeat(32),
        keyId: 'k1',
        name: 'ann',
        scope: 'viewer' as const,
        services: ['svc'],
        csrf: 'token',
        createdAt: T0,
        expiresAt: T0 + MIN,
      }
      await store.insertSession(session)
      await store.insertSession({
        ...session,
        idHash: 'cd'.repeat(32),
        services: null,
        expiresAt: T0 + 2 * MIN,
      })
      expect(await store.getSession(session.idHash)).toEqual(session)
      expect(await store.deleteExpiredSessions(T0 + MIN)).toBe(1)
      expect(await store.getSession(session.idHash)).toBeUndefined()
      expect((await store.getSession('cd'.repeat(32)))?.services).toBeNull()
      await store.deleteSession('cd'.repeat(32))
      expect(await store.getSession('cd'.repeat(32))).toBeUndefined()
    })

    it('counts instances by their latest report, whichever write came last, and prunes silent ones', async () => {
      const at = (instance: string, t: number, service = 'svc') => ({
        service,
        environment: 'prod',
        instance,
        at: t,
      })
      await store.writeInstances([at('a', T0), at('b', T0 - 10 * MIN), at('a', T0, 'other')])
      // An older report written later (another replica's) does not move an instance back.
      await store.writeInstances([at('a', T0 - 30 * MIN), at('b', T0 - MIN)])
      expect(await store.countInstances('svc', 'prod', T0 - 5 * MIN)).toBe(2)
      expect(await store.countInstances('svc', 'prod', T0)).toBe(1)
      expect(await store.countInstances('svc', 'staging', 0)).toBe(0)
      expect(await store.pruneInstances(T0 - 2 * MIN)).toBe(0)
      expect(await store.pruneInstances(T0)).toBe(1)
      expect(await store.countInstances('svc', 'prod', 0)).toBe(1)
    })

    it('answers ready while open', () => {
      expect(store.ready()).toBe(true)
    })

    it('keeps stats since the last generation for whichever process generates next (shared stores)', async (ctx) => {
      if (!isShared(store)) return ctx.skip()
      const shared = store
      await shared.writeStats(
        [],
        [],
        [{ service: 'svc', environment: 'prod', pending: pending(10, 'a', T0) }],
      )
      await shared.writeStats(
        [],
        [],
        [{ service: 'svc', environment: 'prod', pending: pending(5, 'b', T0 + MIN) }],
      )
      expect(await shared.pendingGroups()).toEqual([{ service: 'svc', environment: 'prod' }])
      const peeked = await shared.takePending('svc', 'prod', T0 + 5 * MIN, true)
      expect(peeked!.patterns.get(patternKey(sig(1), 'info'))).toEqual({
        signature: sig(1),
        level: 'info',
        seen: 15,
        kept: 13,
        bytes: 150,
        plainBytes: 90,
        // Backfilled lines are budgeted: a replica's generation needs them too.
        backfilled: 2,
      })
      const taken = await shared.takePending('svc', 'prod', T0 + 5 * MIN)
      expect(taken).toMatchObject({ batches: 2, since: undefined })
      expect([...taken!.instances.keys()].sort()).toEqual(['a', 'b'])
      expect(await shared.takePending('svc', 'prod', T0 + 6 * MIN)).toBeUndefined()
      await shared.writeStats([], [], [{ service: 'svc', environment: 'prod', pending: pending(1, 'a', T0) }])
      expect((await shared.takePending('svc', 'prod', T0 + 7 * MIN))!.since).toBe(T0 + 6 * MIN)
    })

    it('runs one exclusive section per group at a time and commits nothing of a failed one (shared stores)', async (ctx) => {
      if (!isShared(store)) return ctx.skip()
      const shared = store
      const order: string[] = []
      const section = (name: string, ms: number) =>
        shared.exclusive('svc', 'prod', async (tx) => {
          order.push(`${name}:in`)
          await new Promise((r) => setTimeout(r, ms))
          await tx.insertPolicy(policy(0.5))
          order.push(`${name}:out`)
        })
      await Promise.all([
        section('a', 150),
        new Promise((r) => setTimeout(r, 20)).then(() => section('b', 0)),
      ])
      expect(order).toEqual(['a:in', 'a:out', 'b:in', 'b:out'])
      await expect(
        shared.exclusive('svc', 'prod', async (tx) => {
          await tx.insertPolicy(policy(0.1))
          throw new Error('dies midway')
        }),
      ).rejects.toThrow('dies midway')
      expect((await shared.latestPolicy('svc', 'prod'))!.version).toBe(2)
      expect((await shared.insertPolicy(policy(0.2))).version).toBe(3)
    })
  })
}
