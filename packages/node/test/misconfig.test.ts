// Misconfiguration is loud: programmer mistakes throw at createSieve, runtime problems reach stderr once
// per kind with their cause, and `onDiagnostic` redirects or (false) silences them.
import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { type RunningServer, startServer } from '@logsieve/server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createSieve,
  type Diagnostic,
  integrationOf,
  SieveConfigError,
  type SieveOptions,
} from '../src/index.js'
import { startHostileServer } from './hostile-server.js'

const run = promisify(execFile)
const ADMIN = 'admin-test-key-0123456789'
let dir: string
let server: RunningServer
let deadUrl: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'logsieve-misconfig-'))
  server = await startServer({ port: 0, host: '127.0.0.1', dbPath: join(dir, 'db.sqlite'), adminKey: ADMIN })
  const dead = await startHostileServer(() => {})
  deadUrl = dead.url
  await dead.close()
})
afterAll(async () => {
  await server?.close()
  await rm(dir, { recursive: true, force: true })
})

/** The stderr of a child process running a sieve against `url` with `key`. */
async function stderrOf(url: string, key: string): Promise<string> {
  const script = join(import.meta.dirname, 'misconfig-child.ts')
  const { stderr } = await run(process.execPath, ['--import', 'tsx', script, url, key], { timeout: 20_000 })
  return stderr
}

describe('programmer mistakes throw one clear error at createSieve', () => {
  const cases: Array<[string, unknown, string]> = [
    ['no options', undefined, 'options'],
    ['no service', {}, 'service'],
    ['an empty service', { service: '' }, 'service'],
    ['a service with a space', { service: 'my shop' }, 'service'],
    ['a number as service', { service: 42 }, 'service'],
    ['an unparseable URL', { service: 's', server: { url: 'not a url' } }, 'server.url'],
    ['an empty server', { service: 's', server: {} }, 'server.url'],
    ['a non-http URL', { service: 's', server: { url: 'ftp://x' } }, 'server.url'],
    ['a negative interval', { service: 's', statsIntervalMs: -5 }, 'statsIntervalMs'],
    ['a zero timeout', { service: 's', timeoutMs: 0 }, 'timeoutMs'],
    ['an unknown follow', { service: 's', follow: 'websocket' }, 'follow'],
  ]
  it.each(cases)('%s', (_name, options, field) => {
    let thrown: unknown
    try {
      createSieve(options as SieveOptions)
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(SieveConfigError)
    const error = thrown as SieveConfigError
    expect(error.code).toBe('LOGSIEVE_CONFIG')
    expect(error.problems.some((p) => p.startsWith(`${field}:`))).toBe(true)
    expect(error.message).toContain(field)
  })

  it('lists every problem at once', () => {
    expect(() =>
      createSieve({ service: '', server: { url: 'nope' }, follow: 'ws' } as unknown as SieveOptions),
    ).toThrow(/service: .*; server\.url: .*; follow: /)
  })

  it('accepts a valid configuration', async () => {
    const sieve = createSieve({
      service: 'checkout',
      environment: 'prod',
      server: { url: server.url },
      cacheDir: false,
      onDiagnostic: false,
    })
    await sieve.shutdown()
  })
})

describe('runtime problems are written to stderr once per kind, with their cause', () => {
  it('an unreachable server: ECONNREFUSED, once for the policy and once for the stats', async () => {
    const stderr = await stderrOf(deadUrl, 'some-key')
    const lines = stderr.trim().split('\n')
    expect(lines.filter((l) => l.includes('LOGSIEVE_POLICY_FETCH'))).toHaveLength(1)
    expect(lines.filter((l) => l.includes('LOGSIEVE_STATS'))).toHaveLength(1)
    for (const line of lines) expect(line).toMatch(/ECONNREFUSED/)
  }, 30_000)

  it('a wrong key: the status and the server’s error code', async () => {
    const stderr = await stderrOf(server.url, 'lsk_wrong_key')
    const lines = stderr.trim().split('\n')
    const policy = lines.filter((l) => l.includes('LOGSIEVE_POLICY'))
    const stats = lines.filter((l) => l.includes('LOGSIEVE_STATS'))
    expect(policy).toHaveLength(1)
    expect(stats).toHaveLength(1)
    expect(policy[0]).toMatch(/401 \(LOGSIEVE_UNAUTHORIZED: unknown or revoked API key\)/)
    expect(stats[0]).toMatch(/401 \(LOGSIEVE_UNAUTHORIZED: /)
  }, 30_000)

  it('a host that does not resolve: the DNS error', async () => {
    const stderr = await stderrOf('http://logsieve-no-such-host.invalid:7070', 'k')
    expect(stderr).toMatch(/LOGSIEVE_POLICY_FETCH: .*(ENOTFOUND|EAI_AGAIN)/)
  }, 30_000)

  it('onDiagnostic receives every report with the cause; false silences them', async () => {
    const seen: Diagnostic[] = []
    const sieve = createSieve({
      service: 'checkout',
      server: { url: deadUrl },
      cacheDir: false,
      timeoutMs: 500,
      onDiagnostic: (d) => seen.push(d),
    })
    integrationOf(sieve).decide('info', 'x %s', true)
    await sieve.flush()
    integrationOf(sieve).decide('info', 'x %s', true)
    await sieve.flush()
    await sieve.shutdown()
    const stats = seen.filter((d) => d.code === 'LOGSIEVE_STATS')
    expect(stats.length).toBeGreaterThanOrEqual(2)
    expect(stats[0]?.message).toMatch(/fetch failed: connect ECONNREFUSED/)

    const script = `import { createSieve, integrationOf } from '${join(import.meta.dirname, '../src/index.ts')}'
      const s = createSieve({ service: 'q', server: { url: '${deadUrl}' }, cacheDir: false, onDiagnostic: false })
      integrationOf(s).decide('info', 'x', false); await s.flush(); await new Promise((r) => setTimeout(r, 500)); await s.shutdown()`
    const { stderr } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script])
    expect(stderr).toBe('')
  }, 30_000)
})
