// The page's poller against a real HTTP server on a loopback port that answers as the policy server
// would (ETag / 304, errors, garbage), with a storage cache over a Map (Node has no localStorage; the real
// one is used in test/browser.test.ts with chromium).
import { defaultPolicy, type Policy } from '@logsieve/core'
import { afterEach, describe, expect, it } from 'vitest'
import { listen, type Running, waitFor } from '../test/http.js'
import { type PagePoller, pollPolicy } from './page-poller.js'
import { type PolicyStorage, storagePolicyCache } from './storage-cache.js'

const policy = (version: number): Policy => ({ ...defaultPolicy('shop-web', 'prod'), version })

let server: Running | undefined
let poller: PagePoller | undefined
afterEach(async () => {
  poller?.stop()
  await server?.close()
})

interface Seen {
  url: string
  headers: Record<string, string | string[] | undefined>
}

/** A policy server answering with `answers` in turn (the last one repeats), recording each request. */
async function serve(answers: Array<[status: number, body?: string, etag?: string]>) {
  const requests: Seen[] = []
  server = await listen((req, res) => {
    requests.push({ url: req.url ?? '', headers: req.headers })
    const [status, body, etag] = answers[Math.min(requests.length, answers.length) - 1]!
    res.writeHead(status, etag ? { etag } : {}).end(body)
  })
  return requests
}

function start(storage: PolicyStorage, url: string) {
  const policies: Policy[] = []
  const errors: unknown[] = []
  poller = pollPolicy({
    url,
    apiKey: 'lsk_ingest',
    service: 'shop-web',
    environment: 'prod',
    fetch: globalThis.fetch,
    cache: storagePolicyCache(storage),
    onPolicy: (p) => policies.push(p),
    onError: (e) => errors.push(e),
  })
  return { policies, errors, poller }
}

const memory = (): PolicyStorage & { map: Map<string, string> } => {
  const map = new Map<string, string>()
  return { map, getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v) }
}

describe('pollPolicy', () => {
  it('applies the cached policy at once, revalidates it with its ETag, and stores a newer one', async () => {
    const requests = await serve([[304], [200, JSON.stringify(policy(5)), '"v5"']])
    const storage = memory()
    storagePolicyCache(storage).save('shop-web:prod', { policy: policy(4), etag: '"v4"' })
    const { policies, errors, poller } = start(storage, server!.url)
    // Synchronously: before any answer, the cached policy is in force.
    expect(policies.map((p) => p.version)).toEqual([4])
    await waitFor('the first request', () => requests[0])
    expect(requests[0]).toMatchObject({
      url: '/v1/policies/shop-web?environment=prod',
      headers: { authorization: 'Bearer lsk_ingest', 'if-none-match': '"v4"' },
    })
    await poller.poll() // 200 with version 5
    expect(policies.map((p) => p.version)).toEqual([4, 5])
    expect(storagePolicyCache(storage).load('shop-web:prod')).toMatchObject({
      etag: '"v5"',
      policy: policy(5),
    })
    await poller.poll()
    expect(requests[2]?.headers['if-none-match']).toBe('"v5"')
    expect(errors).toEqual([])
  })

  it('keeps the policy in force on an HTTP error, a body that is not JSON and an invalid policy', async () => {
    const invalid = JSON.stringify({ ...policy(9), defaults: { levels: { error: 0.5 } } })
    const requests = await serve([
      [200, JSON.stringify(policy(2)), '"v2"'],
      [500, '{}'],
      [200, '{nope'],
      [200, invalid],
    ])
    const { policies, errors, poller } = start(memory(), server!.url)
    await waitFor('the first policy', () => policies[0])
    await poller.poll()
    await poller.poll()
    await poller.poll()
    expect(requests).toHaveLength(4)
    expect(policies.map((p) => p.version)).toEqual([2])
    expect(errors.map(String)).toEqual([
      expect.stringContaining('LOGSIEVE_POLICY_HTTP: GET'),
      expect.stringContaining('SyntaxError'),
      'ContractError: LOGSIEVE_POLICY_INVALID: defaults.levels.error is missing or invalid',
    ])
  })

  it('ignores an invalid cached policy, reporting it, and works without storage or network', async () => {
    const storage = memory()
    storage.setItem('logsieve:policy:shop-web:prod', JSON.stringify({ format: 1, policy: { version: -1 } }))
    const { policies, errors } = start(storage, 'http://127.0.0.1:9')
    expect(policies).toEqual([])
    expect(String(errors[0])).toContain('LOGSIEVE_POLICY_INVALID: version')
    await waitFor('the network failure', () => errors[1])
    expect(policies).toEqual([])
  })
})
