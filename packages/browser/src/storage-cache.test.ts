import { defaultPolicy, type Policy } from '@logsieve/core'
import { describe, expect, it } from 'vitest'
import { CACHE_FORMAT, type PolicyStorage, storagePolicyCache } from './storage-cache.js'

/** Web Storage semantics over a Map (Node has no localStorage); the real one is used in the browser tests. */
class MapStorage implements PolicyStorage {
  readonly map = new Map<string, string>()
  getItem(key: string): string | null {
    return this.map.get(key) ?? null
  }
  setItem(key: string, value: string): void {
    this.map.set(key, String(value))
  }
}

const policy = (version: number): Policy => ({ ...defaultPolicy('shop-web', 'prod'), version })

describe('storagePolicyCache', () => {
  it('round-trips the policy and its ETag', async () => {
    const cache = storagePolicyCache(new MapStorage())
    await cache.save('shop-web/prod', { policy: policy(3), etag: '"v3"' })
    expect(await cache.load('shop-web/prod')).toMatchObject({ policy: policy(3), etag: '"v3"' })
    expect(await cache.load('other/prod')).toBeUndefined()
  })

  it('never replaces a newer version by an older one', async () => {
    const cache = storagePolicyCache(new MapStorage())
    await cache.save('k', { policy: policy(7) })
    await cache.save('k', { policy: policy(5) })
    expect((await cache.load('k'))?.policy.version).toBe(7)
    await cache.save('k', { policy: policy(8) })
    expect((await cache.load('k'))?.policy.version).toBe(8)
  })

  it('ignores records of another format or shape, and garbage', async () => {
    const storage = new MapStorage()
    const cache = storagePolicyCache(storage)
    storage.setItem('logsieve:policy:a', JSON.stringify({ format: CACHE_FORMAT + 1, policy: policy(1) }))
    storage.setItem('logsieve:policy:b', JSON.stringify({ format: CACHE_FORMAT, policy: { version: 'x' } }))
    storage.setItem('logsieve:policy:c', '{not json')
    expect(await cache.load('a')).toBeUndefined()
    expect(await cache.load('b')).toBeUndefined()
    expect(await cache.load('c')).toBeUndefined()
    // An unreadable record does not block the next save.
    await cache.save('c', { policy: policy(2) })
    expect((await cache.load('c'))?.policy.version).toBe(2)
  })

  it('works without storage (private mode, disabled, quota): holds nothing, reports, never throws', async () => {
    const errors: Error[] = []
    const broken: PolicyStorage = {
      getItem() {
        throw new DOMException('denied', 'SecurityError')
      },
      setItem() {
        throw new DOMException('full', 'QuotaExceededError')
      },
    }
    const cache = storagePolicyCache(broken, (e) => errors.push(e))
    await cache.save('k', { policy: policy(1) })
    expect(await cache.load('k')).toBeUndefined()
    // save: the read of the stored version fails, then the write; load: the read.
    expect(errors.map((e) => e.name)).toEqual(['SecurityError', 'QuotaExceededError', 'SecurityError'])
    expect(await storagePolicyCache(null).load('k')).toBeUndefined()
  })
})
