import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { defaultPolicy } from '@logsieve/core/sdk'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { diskPolicyCache } from './disk-cache.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'logsieve-cache-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('diskPolicyCache', () => {
  it('saves and loads the last good policy with its etag', async () => {
    const cache = diskPolicyCache(dir)
    const policy = { ...defaultPolicy('checkout', 'prod'), version: 7 }
    await cache.save('checkout/prod', { policy, etag: '"v7"' })
    const loaded = await diskPolicyCache(dir).load('checkout/prod')
    expect(loaded?.policy.version).toBe(7)
    expect(loaded?.etag).toBe('"v7"')
    // No temp files left behind; the key cannot escape the folder.
    expect(await readdir(dir)).toHaveLength(1)
  })

  it('ignores missing, torn and invalid files', async () => {
    const cache = diskPolicyCache(dir)
    expect(await cache.load('nothing')).toBeUndefined()
    await cache.save('svc', { policy: defaultPolicy('svc') })
    const [file] = await readdir(dir)
    await writeFile(join(dir, file as string), '{"policy": {"service": "svc", "versi')
    expect(await cache.load('svc')).toBeUndefined()
    await writeFile(
      join(dir, file as string),
      JSON.stringify({ policy: { ...defaultPolicy('svc'), defaults: { levels: { error: 0.5 } } } }),
    )
    expect(await cache.load('svc')).toBeUndefined()
  })

  it('reports write failures instead of throwing', async () => {
    const errors: unknown[] = []
    const blocker = join(dir, 'file')
    await writeFile(blocker, 'x')
    const cache = diskPolicyCache(join(blocker, 'sub'), (e) => errors.push(e))
    await cache.save('svc', { policy: defaultPolicy('svc') })
    expect(errors).toHaveLength(1)
  })
})
