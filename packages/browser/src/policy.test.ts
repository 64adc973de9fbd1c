// The sieve's policy polling and policy storage in Node, against a real HTTP server on a loopback port
// that answers as the policy server would (ETag / 304, errors, garbage), with Web Storage semantics over
// a Map (Node has no localStorage; chromium uses the real one in test/browser.test.ts).
import { defaultPolicy, type Policy } from '@logsieve/core'
import { afterEach, describe, expect, it } from 'vitest'
import { listen, type Running, waitFor } from '../test/http.js'
import { CACHE_FORMAT, createBrowserSieve } from './sieve.js'
import type { BrowserSieve, PolicyStorage } from './types.js'

const policy = (version: number, refreshSeconds = 30): Policy => ({
  ...defaultPolicy('shop-web', 'prod'),
  version,
  refreshSeconds,
})

const running: Array<Running | BrowserSieve> = []
afterEach(async () => {
  for (const r of running.splice(0)) await ('shutdown' in r ? r.shutdown() : r.close())
})

interface Seen {
  url: string
  headers: Record<string, string | string[] | undefined>
}

/** A policy server answering with `answers` in turn (the last one repeats), recording each request. */
async function serve(answers: Array<[status: number, body?: string, etag?: string]>) {
  const requests: Seen[] = []
  const server = await listen((req, res) => {
    requests.push({ url: req.url ?? '', headers: req.headers })
    const [status, body, etag] = answers[Math.min(requests.length, answers.length) - 1]!
    res.writeHead(status, etag ? { etag } : {}).end(body)
  })
  running.push(server)
  return { url: server.url, requests }
}

const KEY = 'logsieve:policy:shop-web:prod'

/** Web Storage semantics over a Map, holding `record` (stored as JSON) when given. */
const memory = (record?: unknown): PolicyStorage => {
  const map = new Map<string, string>()
  if (record !== undefined) map.set(KEY, typeof record === 'string' ? record : JSON.stringify(record))
  return { getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, String(v)) }
}
const read = (storage: PolicyStorage) => JSON.parse(storage.getItem(KEY)!)

function start(url: string, storage: PolicyStorage) {
  const errors: string[] = []
  const sieve = createBrowserSieve({
    service: 'shop-web',
    environment: 'prod',
    server: { url: `${url}/`, apiKey: 'lsk_ingest' },
    storage,
    statsIntervalMs: 600_000,
    onDiagnostic: (e) => errors.push(String(e)),
  })
  running.push(sieve)
  return { sieve, errors }
}

describe('policy polling', () => {
  it('applies the cached policy at once, revalidates it with its ETag, and stores a newer one', async () => {
    const { url, requests } = await serve([[304], [200, JSON.stringify(policy(5, 1)), '"v5"'], [304]])
    const storage = memory({ format: CACHE_FORMAT, policy: policy(4, 1), etag: '"v4"' })
    const { sieve, errors } = start(url, storage)
    // Synchronously: before any answer, the cached policy is in force.
    expect(sieve.policy.version).toBe(4)
    await waitFor('the first request', () => requests[0])
    expect(requests[0]).toMatchObject({
      url: '/v1/policies/shop-web?environment=prod',
      headers: { authorization: 'Bearer lsk_ingest', 'if-none-match': '"v4"' },
    })
    // refreshSeconds 1: the next polls come about a second apart.
    await waitFor('version 5', () => sieve.policy.version === 5 || undefined)
    expect(read(storage)).toEqual({ format: CACHE_FORMAT, etag: '"v5"', policy: policy(5, 1) })
    await waitFor('the third request', () => requests[2])
    expect(requests[2]?.headers['if-none-match']).toBe('"v5"')
    expect(errors).toEqual([])
  })

  it('keeps the policy in force on an HTTP error, a body that is not JSON and an invalid policy', async () => {
    const invalid = JSON.stringify({ ...policy(9), defaults: { levels: { error: 0.5 } } })
    const cases: Array<[number, string, string]> = [
      [500, '{}', 'LOGSIEVE_POLICY_HTTP: 500'],
      [200, '{nope', 'SyntaxError'],
      [200, invalid, 'ContractError: LOGSIEVE_POLICY_INVALID: defaults.levels.error is missing or invalid'],
    ]
    for (const [status, body, error] of cases) {
      const storage = memory({ format: CACHE_FORMAT, policy: policy(2) })
      const { url } = await serve([[status, body]])
      const { sieve, errors } = start(url, storage)
      await waitFor(`the diagnostic for ${body}`, () => errors[0])
      expect(errors[0]).toContain(error)
      expect(sieve.policy.version).toBe(2)
    }
  })

  it('never replaces a stored newer version by an older one (two tabs answering out of order)', async () => {
    const { url } = await serve([[200, JSON.stringify(policy(5)), '"v5"']])
    const storage = memory({ format: CACHE_FORMAT, policy: policy(7) })
    const { sieve } = start(url, storage)
    // This tab applied the stored 7, then the server's answer; the record keeps the newer 7.
    await waitFor('version 5 from the server', () => sieve.policy.version === 5 || undefined)
    expect(read(storage).policy.version).toBe(7)
  })

  it('ignores stored records of another format and garbage, and replaces them', async () => {
    for (const record of [{ format: CACHE_FORMAT + 1, policy: policy(3) }, '{not json']) {
      const { url } = await serve([[200, JSON.stringify(policy(5)), '"v5"']])
      const storage = memory(record)
      const { sieve, errors } = start(url, storage)
      expect(sieve.policy.version).toBe(0)
      await waitFor('version 5 from the server', () => sieve.policy.version === 5 || undefined)
      expect(read(storage)).toMatchObject({ format: CACHE_FORMAT, policy: { version: 5 } })
      // The garbage is reported when read at start, and when read again before it is replaced.
      const syntax = expect.stringContaining('SyntaxError')
      expect(errors).toEqual(typeof record === 'string' ? [syntax, syntax] : [])
    }
  })

  it('works with storage that throws (private mode, quota), reporting each failure', async () => {
    const { url } = await serve([[200, JSON.stringify(policy(5)), '"v5"']])
    const broken: PolicyStorage = {
      getItem() {
        throw new DOMException('denied', 'SecurityError')
      },
      setItem() {
        throw new DOMException('full', 'QuotaExceededError')
      },
    }
    const { sieve, errors } = start(url, broken)
    await waitFor('version 5 from the server', () => sieve.policy.version === 5 || undefined)
    // The read at start; then, for the new policy, the read of the stored version and the write.
    const denied = expect.stringContaining('SecurityError')
    expect(errors).toEqual([denied, denied, expect.stringContaining('QuotaExceededError')])
  })

  it('ignores an invalid stored policy, reporting it, and works without storage or network', async () => {
    const storage = memory({ format: CACHE_FORMAT, policy: { version: -1 } })
    const { sieve, errors } = start('http://127.0.0.1:9', storage)
    expect(sieve.policy.version).toBe(0)
    expect(errors[0]).toContain('LOGSIEVE_POLICY_INVALID: version')
    await waitFor('the network failure', () => errors[1])
    expect(sieve.logger.info('still logging')).toBe(true)
  })
})
