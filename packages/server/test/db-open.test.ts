// Issue 19, item 4: a `--db` the server cannot open fails the start at once with an error naming the file,
// never a hang (a path under /proc once spun at 87% CPU). Real paths the kernel refuses or serves as
// non-databases, a FIFO, a file that is not SQLite; then the real bin's exit.
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { openStore } from '../src/store/open.js'
import { exited } from './bin.js'

const dir = mkdtempSync(join(tmpdir(), 'logsieve-db-open-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const fifo = join(dir, 'fifo.db')
execFileSync('mkfifo', [fifo])
const notSqlite = join(dir, 'notes.db')
writeFileSync(notSqlite, 'these are notes, not a database\n'.repeat(200))

const unusable = [
  '/proc/logsieve.db', // a directory no file may be created in
  '/proc/self/status', // a kernel file that reads as text
  '/proc/self/mem', // reads fail
  '/proc/self/fd/0', // the test's stdin
  '/proc', // a directory
  '/dev/null',
  fifo,
  notSqlite,
]

describe('a --db the server cannot open', () => {
  it.each(unusable)('%s: openStore rejects within a second, naming the file', async (path) => {
    const started = performance.now()
    const error = await openStore(path).then(
      (store) => {
        void store.close()
        return undefined
      },
      (e: Error) => e,
    )
    expect(performance.now() - started).toBeLessThan(1000)
    expect(error?.message).toMatch(/^LOGSIEVE_DB_UNAVAILABLE: cannot open the SQLite database /)
    expect(error?.message).toContain(JSON.stringify(path))
  })

  it('the bin exits 1 with that error on stderr', async () => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        resolve(import.meta.dirname, '../src/bin.ts'),
        '--port',
        '0',
        '--db',
        '/proc/logsieve.db',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => {
      stderr += d
    })
    expect(await exited(child)).toEqual({ code: 1, signal: null })
    expect(stderr).toMatch(
      /^logsieve-server: LOGSIEVE_DB_UNAVAILABLE: cannot open the SQLite database "\/proc\/logsieve\.db"/,
    )
  }, 30_000)
})
