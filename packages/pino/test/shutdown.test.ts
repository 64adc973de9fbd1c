import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterEach, beforeEach, expect, it } from 'vitest'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'logsieve-shutdown-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

it('await sieve.shutdown() loses no kept line and lets the process exit, server down or not', async () => {
  const file = join(dir, 'out.log')
  const run = promisify(execFile)
  // Port 9 (discard) is closed on loopback: the policy fetch and the final stats flush both fail.
  await run(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'shutdown-child.ts'), file, 'http://127.0.0.1:9'],
    {
      timeout: 20_000,
    },
  )
  const lines = (await readFile(file, 'utf8')).trim().split('\n')
  expect(lines).toHaveLength(20_000)
  expect(JSON.parse(lines[19_999] as string)).toMatchObject({ i: 19_999, msg: 'kept line 19999' })
}, 30_000)
