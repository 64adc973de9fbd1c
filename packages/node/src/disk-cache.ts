// The last good policy on disk, so the next start samples with it before the network answers.
// Writes are atomic (temp file + rename); anything unreadable or invalid on load is ignored.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { CachedPolicy, PolicyCache } from '@logsieve/core/sdk'
import { parsePolicy } from '@logsieve/core/sdk'

/** Default folder for cached policies. */
export function defaultCacheDir(): string {
  return join(tmpdir(), 'logsieve')
}

function fileFor(dir: string, key: string): string {
  // Keys hold service and environment names; encode them so no key can leave the folder.
  return join(dir, `${encodeURIComponent(key).replace(/\./g, '%2E')}.policy.json`)
}

/**
 * A PolicyCache backed by one JSON file per key in `dir`.
 *
 * @example
 * const cache = diskPolicyCache('/var/cache/logsieve')
 */
export function diskPolicyCache(
  dir: string = defaultCacheDir(),
  onError?: (error: unknown) => void,
): PolicyCache {
  let seq = 0
  return {
    async load(key: string): Promise<CachedPolicy | undefined> {
      try {
        const raw = JSON.parse(await readFile(fileFor(dir, key), 'utf8')) as {
          policy?: unknown
          etag?: unknown
        }
        const parsed = parsePolicy(raw?.policy)
        if (!parsed.ok) return undefined
        const out: CachedPolicy = { policy: parsed.value }
        if (typeof raw.etag === 'string') out.etag = raw.etag
        return out
      } catch {
        // No cache yet, or a torn/unreadable file: start from defaults.
        return undefined
      }
    },
    async save(key: string, value: CachedPolicy): Promise<void> {
      try {
        await mkdir(dir, { recursive: true })
        const file = fileFor(dir, key)
        const tmp = `${file}.${process.pid}.${seq++}.tmp`
        await writeFile(tmp, JSON.stringify(value))
        await rename(tmp, file)
      } catch (error) {
        onError?.(error)
      }
    },
  }
}
