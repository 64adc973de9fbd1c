// The client under test talks to a real HTTP server on an ephemeral loopback port; the server is a
// fixture that answers what a policy server would (ETag/304, errors, garbage, slowness).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createPolicyClient, memoryPolicyCache, type PolicyFetchError } from './policy-client.js'
import { defaultPolicy, type Policy } from './schema.js'
import type { PolicyClient } from './types.js'

type Handler = (req: IncomingMessage, res: ServerResponse) => void
let server: Server | undefined
let client: PolicyClient | undefined
const requests: IncomingMessage[] = []

async function serve(handler: Handler): Promise<string> {
  server = createServer((req, res) => {
    requests.push(req)
    handler(req, res)
  })
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

afterEach(async () => {
  client?.stop()
  client = undefined
  requests.length = 0
  const s = server
  server = undefined
  if (s) {
    s.closeAllConnections()
    await new Promise((resolve) => s.close(resolve))
  }
})

const policyV = (version: number, extra?: Partial<Policy>): Policy => ({
  ...defaultPolicy('checkout', 'prod'),
  version,
  ...extra,
})

function json(res: ServerResponse, status: number, body: unknown, etag?: string) {
  res.writeHead(status, { 'content-type': 'application/json', ...(etag ? { etag } : {}) })
  res.end(JSON.stringify(body))
}

describe('createPolicyClient', () => {
  it('sends auth and environment, caches the policy, then revalidates with If-None-Match', async () => {
    const url = await serve((req, res) => {
      if (req.headers['if-none-match'] === '"v3"') {
        res.writeHead(304, { etag: '"v3"' })
        res.end()
      } else json(res, 200, policyV(3), '"v3"')
    })
    const cache = memoryPolicyCache()
    const seen: Policy[] = []
    client = createPolicyClient({
      url: `${url}/`,
      apiKey: 'k_ingest',
      service: 'checkout',
      environment: 'prod',
      cache,
      onPolicy: (p) => seen.push(p),
    })
    expect((await client.refresh())?.version).toBe(3)
    expect(requests[0]?.url).toBe('/v1/policies/checkout?environment=prod')
    expect(requests[0]?.headers.authorization).toBe('Bearer k_ingest')
    expect(requests[0]?.headers['if-none-match']).toBeUndefined()
    expect(await cache.load('checkout:prod')).toMatchObject({ etag: '"v3"', policy: { version: 3 } })
    expect((await client.refresh())?.version).toBe(3)
    expect(requests[1]?.headers['if-none-match']).toBe('"v3"')
    expect(seen).toHaveLength(1)
    expect(client.current?.version).toBe(3)
  })

  it('keeps the previous policy on 500, garbage JSON and an invalid policy, reporting each', async () => {
    const answers: Handler[] = [
      (_req, res) => json(res, 200, policyV(1), '"v1"'),
      (_req, res) => json(res, 500, { error: { code: 'X', message: 'boom' } }),
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end('{"version": 2, "rul')
      },
      (_req, res) => json(res, 200, { ...policyV(4), defaults: { levels: { error: 0.5 } } }, '"v4"'),
    ]
    let n = 0
    const url = await serve((req, res) => (answers[n++] as Handler)(req, res))
    const errors: Error[] = []
    client = createPolicyClient({ url, service: 'checkout', onError: (e) => errors.push(e) })
    expect((await client.refresh())?.version).toBe(1)
    expect((await client.refresh())?.version).toBe(1)
    expect((await client.refresh())?.version).toBe(1)
    expect((await client.refresh())?.version).toBe(1)
    expect(errors.map((e) => (e as PolicyFetchError).code)).toEqual([
      'LOGSIEVE_POLICY_HTTP',
      'LOGSIEVE_POLICY_HTTP',
      'LOGSIEVE_POLICY_INVALID',
    ])
    expect((errors[0] as PolicyFetchError).status).toBe(500)
    expect(errors[2]?.message).toContain('defaults.levels.error')
  })

  it('times out a slow server without rejecting', async () => {
    const url = await serve((_req, res) => {
      setTimeout(() => json(res, 200, policyV(9)), 2000).unref()
    })
    const errors: Error[] = []
    client = createPolicyClient({ url, service: 'checkout', timeoutMs: 50, onError: (e) => errors.push(e) })
    await expect(client.refresh()).resolves.toBeUndefined()
    expect(errors[0]?.message).toContain('timed out')
  })

  it('never rejects when nothing listens, and onError/onPolicy throwing is swallowed', async () => {
    const url = await serve((_req, res) => json(res, 200, policyV(2)))
    const port = new URL(url).port
    const s = server as Server
    server = undefined
    await new Promise((resolve) => s.close(resolve))
    let reported = 0
    client = createPolicyClient({
      url: `http://127.0.0.1:${port}`,
      service: 'checkout',
      onError: () => {
        reported++
        throw new Error('host bug')
      },
    })
    await expect(client.refresh()).resolves.toBeUndefined()
    expect(reported).toBe(1)
  })

  it('loads the cached policy first and reports it', async () => {
    const cache = memoryPolicyCache()
    await cache.save('checkout:default', { policy: policyV(7), etag: '"v7"' })
    const url = await serve((_req, res) => {
      res.writeHead(304)
      res.end()
    })
    const seen: number[] = []
    client = createPolicyClient({
      url,
      service: 'checkout',
      cache,
      onPolicy: (p) => {
        seen.push(p.version)
        throw new Error('ignored')
      },
    })
    expect((await client.loadCached())?.version).toBe(7)
    expect((await client.refresh())?.version).toBe(7)
    expect(seen).toEqual([7])
    expect(requests[0]?.headers['if-none-match']).toBe('"v7"')
  })

  it('start() polls at refreshSeconds and backs off after failures, stop() ends it', async () => {
    let n = 0
    const url = await serve((_req, res) => {
      n++
      if (n <= 2) json(res, 503, {})
      else json(res, 200, policyV(n, { refreshSeconds: 1 }))
    })
    const versions: number[] = []
    client = createPolicyClient({
      url,
      service: 'checkout',
      backoff: { baseMs: 20, maxMs: 40 },
      onPolicy: (p) => versions.push(p.version),
    })
    client.start()
    client.start() // idempotent
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (versions.length >= 1) {
          clearInterval(check)
          resolve()
        }
      }, 10)
    })
    client.stop()
    expect(versions[0]).toBe(3)
    const after = n
    await new Promise((r) => setTimeout(r, 100))
    expect(n).toBe(after)
  })
})
