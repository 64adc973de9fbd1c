// Current policies: cached with their serialized body and ETag (so the 304 path touches no SQL), and
// pushed to SSE subscribers whenever a new version is stored.
import { createHash } from 'node:crypto'
import { defaultPolicy, groupKey, type Policy, splitGroupKey } from '@logsieve/core'
import { LRUCache } from 'lru-cache'
import type { Store } from './store/types.js'

export interface CachedPolicyEntry {
  policy: Policy
  /** The JSON body served to SDKs. */
  body: string
  etag: string
}

export type PolicyListener = (entry: CachedPolicyEntry) => void

function entryOf(policy: Policy): CachedPolicyEntry {
  const body = JSON.stringify(policy)
  // The version alone could repeat after a database is replaced; the content hash cannot.
  const hash = createHash('sha1').update(body).digest('base64url').slice(0, 16)
  return { policy, body, etag: `"${policy.version}-${hash}"` }
}

/** True when an If-None-Match header names `etag` (or `*`); weak validators compare equal. */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false
  if (header === etag) return true
  for (const part of header.split(',')) {
    const t = part.trim()
    if (t === '*' || t === etag || (t.startsWith('W/') && t.slice(2) === etag)) return true
  }
  return false
}

export class PolicyHub {
  private readonly cache = new LRUCache<string, CachedPolicyEntry>({ max: 10_000 })
  private readonly listeners = new Map<string, Set<PolicyListener>>()
  private readonly closers = new Set<() => void>()

  constructor(private readonly store: Store) {}

  /** Cached entry, or undefined on a cache miss (use `load`). Synchronous for the hot path. */
  peek(service: string, environment: string): CachedPolicyEntry | undefined {
    return this.cache.get(groupKey(service, environment))
  }

  /**
   * The current policy (version 0 defaults when none was ever stored). `fresh`: read it from this store
   * (a shared store's transaction) even on a cache hit, since another process may have stored a newer one.
   */
  async load(service: string, environment: string, fresh?: Store): Promise<CachedPolicyEntry> {
    const hit = fresh ? undefined : this.peek(service, environment)
    if (hit) return hit
    const stored = await (fresh ?? this.store).latestPolicy(service, environment)
    const entry = entryOf(stored ?? defaultPolicy(service, environment))
    const cached = this.peek(service, environment)
    if (!cached || cached.policy.version < entry.policy.version) {
      this.cache.set(groupKey(service, environment), entry)
    }
    return entry
  }

  /**
   * Store a new immutable version, refresh the cache and notify subscribers. Through `via` (a transaction
   * not yet committed) it only stores: the caller calls `accept` once the version is committed.
   */
  async publish(policy: Omit<Policy, 'version'>, via: Store = this.store): Promise<Policy> {
    const stored = await via.insertPolicy(policy)
    if (via === this.store) this.accept(stored)
    return stored
  }

  /** Serve a committed version and push it to subscribers, unless a newer one is held already. */
  accept(policy: Policy): void {
    const k = groupKey(policy.service, policy.environment)
    const cached = this.cache.get(k)
    if (cached && cached.policy.version >= policy.version) return
    const entry = entryOf(policy)
    this.cache.set(k, entry)
    const set = this.listeners.get(k)
    if (set) for (const fn of set) fn(entry)
  }

  /** Another process stored `version`: load it if this one holds or streams an older one. */
  async refresh(service: string, environment: string, version: number): Promise<void> {
    const k = groupKey(service, environment)
    const cached = this.cache.get(k)
    if (cached ? cached.policy.version >= version : !this.listeners.has(k)) return
    const latest = await this.store.latestPolicy(service, environment)
    if (latest) this.accept(latest)
  }

  /** After missed notifications: reload every policy held or streamed. */
  async resync(): Promise<void> {
    const keys = new Set([...this.cache.keys(), ...this.listeners.keys()])
    for (const k of keys) {
      const [service, environment] = splitGroupKey(k)
      const latest = await this.store.latestPolicy(service, environment)
      if (latest) this.accept(latest)
    }
  }

  subscribe(service: string, environment: string, fn: PolicyListener): () => void {
    const k = groupKey(service, environment)
    let set = this.listeners.get(k)
    if (!set) {
      set = new Set()
      this.listeners.set(k, set)
    }
    set.add(fn)
    return () => {
      set.delete(fn)
      if (set.size === 0) this.listeners.delete(k)
    }
  }

  /** Register a stream to end when the server shuts down; returns the unregister function. */
  onShutdown(fn: () => void): () => void {
    this.closers.add(fn)
    return () => this.closers.delete(fn)
  }

  /** End every open stream (server shutdown). */
  shutdown(): void {
    for (const fn of this.closers) fn()
    this.closers.clear()
  }

  get subscribers(): number {
    let n = 0
    for (const set of this.listeners.values()) n += set.size
    return n
  }
}
