// A PolicyCache on Web Storage (localStorage): the page starts with the last policy it saw, before the
// network answers. Storage may be missing or throw (private mode, quota, disabled cookies): then the
// cache simply holds nothing.
import type { CachedPolicy } from '@logsieve/core'

/** Format of the stored record; bump when the shape changes so old records are ignored, not misread. */
export const CACHE_FORMAT = 1
const PREFIX = 'logsieve:policy:'

/** The slice of the Storage interface the cache uses. */
export type PolicyStorage = Pick<Storage, 'getItem' | 'setItem'>

/** A PolicyCache (core) whose calls return at once, as Web Storage does. */
export interface SyncPolicyCache {
  load(key: string): CachedPolicy | undefined
  save(key: string, value: CachedPolicy): void
}

/** `globalThis.localStorage`, or undefined where reading it throws (sandboxed frames, blocked storage). */
export function defaultStorage(): PolicyStorage | undefined {
  try {
    return globalThis.localStorage
  } catch {}
}

/**
 * A PolicyCache backed by `storage` (localStorage by default). `load` ignores records of another format;
 * `save` never replaces a newer policy version by an older one (a slow response in one tab must not
 * undo the newer policy another tab already stored).
 */
export function storagePolicyCache(
  storage: PolicyStorage | null | undefined = defaultStorage(),
  onError?: (error: Error) => void,
): SyncPolicyCache {
  // Only a record of this format with a usable policy counts; anything else is as good as absent.
  const load = (key: string): CachedPolicy | undefined => {
    try {
      // The policy client checks the policy itself; here only what `save` compares must be there.
      const value = storage && JSON.parse(storage.getItem(PREFIX + key)!)
      if (value?.format === CACHE_FORMAT && typeof value.policy?.version === 'number') return value
    } catch (error) {
      onError?.(error as Error)
    }
  }
  return {
    load,
    save(key, value) {
      if (!storage || (load(key)?.policy.version ?? -1) > value.policy.version) return
      try {
        storage.setItem(PREFIX + key, JSON.stringify({ format: CACHE_FORMAT, ...value }))
      } catch (error) {
        onError?.(error as Error)
      }
    },
  }
}
