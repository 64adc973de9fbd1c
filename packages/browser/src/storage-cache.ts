// A PolicyCache on Web Storage (localStorage): the page starts with the last policy it saw, before the
// network answers. Storage may be missing or throw (private mode, quota, disabled cookies): then the
// cache simply holds nothing.
import type { CachedPolicy, PolicyCache } from '@logsieve/core'

/** Format of the stored record; bump when the shape changes so old records are ignored, not misread. */
export const CACHE_FORMAT = 1
const PREFIX = 'logsieve:policy:'

interface Stored extends CachedPolicy {
  format: number
}

/** The slice of the Storage interface the cache uses. */
export type PolicyStorage = Pick<Storage, 'getItem' | 'setItem'>

function readStored(storage: PolicyStorage, key: string): Stored | undefined {
  const raw = storage.getItem(PREFIX + key)
  if (raw === null) return undefined
  const value = JSON.parse(raw) as Stored
  const policy = value?.policy
  // Only a record of this format with a usable policy counts; anything else is as good as absent.
  if (value.format !== CACHE_FORMAT || typeof policy?.version !== 'number' || !Array.isArray(policy.rules)) {
    return undefined
  }
  return value
}

/** `globalThis.localStorage`, or undefined where reading it throws (sandboxed frames, blocked storage). */
export function defaultStorage(): PolicyStorage | undefined {
  try {
    return globalThis.localStorage
  } catch {
    return undefined
  }
}

/**
 * A PolicyCache backed by `storage` (localStorage by default). `load` ignores records of another format;
 * `save` never replaces a newer policy version by an older one (a slow response in one tab must not
 * undo the newer policy another tab already stored).
 */
export function storagePolicyCache(
  storage: PolicyStorage | null | undefined = defaultStorage(),
  onError?: (error: Error) => void,
): PolicyCache {
  const guard = <T>(fn: () => T): T | undefined => {
    try {
      return storage ? fn() : undefined
    } catch (error) {
      onError?.(error as Error)
      return undefined
    }
  }
  return {
    load: (key) => guard(() => readStored(storage!, key)),
    save(key, value) {
      guard(() => {
        const prev = readStored(storage!, key)
        if (prev && prev.policy.version > value.policy.version) return
        const record: Stored = { format: CACHE_FORMAT, ...value }
        storage!.setItem(PREFIX + key, JSON.stringify(record))
      })
    },
  }
}
