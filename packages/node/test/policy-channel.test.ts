// How the Node SDK takes its policy from a server that answers oddly, over real HTTP: an invalid policy
// is LOGSIEVE_POLICY_INVALID in poll mode as in SSE mode (finding 11b), and the SSE stream is read as the
// spec says (CRLF and CR line ends, events split across chunks, comments, multi-line data).
import { createSieve, type Diagnostic, type Sieve } from '@logsieve/node'
import { afterEach, describe, expect, it } from 'vitest'
import { type HostileServer, startHostileServer } from './hostile-server.js'

const servers: HostileServer[] = []
const sieves: Sieve[] = []
afterEach(async () => {
  await Promise.all(sieves.splice(0).map((s) => s.shutdown()))
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

async function until(check: () => boolean, ms = 8000): Promise<void> {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not reached')
    await new Promise((r) => setTimeout(r, 10))
  }
}

const policy = (version: number, info: number) => ({
  service: 'checkout',
  environment: 'test',
  version,
  defaults: { levels: { info }, newPattern: { rate: 1 } },
})

function make(url: string, diagnostics: Diagnostic[], follow?: 'sse'): Sieve {
  const sieve = createSieve({
    service: 'checkout',
    environment: 'test',
    server: { url, apiKey: 'k' },
    cacheDir: false,
    statsIntervalMs: 60_000,
    onDiagnostic: (d) => diagnostics.push(d),
    ...(follow ? { follow } : {}),
  })
  sieves.push(sieve)
  return sieve
}

describe('policy from the server', () => {
  it('reports an invalid policy in poll mode as LOGSIEVE_POLICY_INVALID, naming the field', async () => {
    const server = await startHostileServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ service: 'checkout', version: 3, rules: [{ signature: 'zz', rate: 2 }] }))
    })
    servers.push(server)
    const diagnostics: Diagnostic[] = []
    const sieve = make(server.url, diagnostics)
    await until(() => diagnostics.some((d) => d.code.startsWith('LOGSIEVE_POLICY')))
    const d = diagnostics.find((x) => x.code.startsWith('LOGSIEVE_POLICY')) as Diagnostic
    expect(d.code).toBe('LOGSIEVE_POLICY_INVALID')
    expect(d.message).toMatch(/rules\[0\]\.signature/)
    expect(sieve.policy.version).toBe(0)
  })

  it('reads SSE events with CRLF or CR line ends, split anywhere across chunks', async () => {
    const stream = [
      ': heartbeat\r\n\r\n',
      `event: policy\r\ndata: ${JSON.stringify({ policy: policy(2, 0.5) })}\r\n\r\n`,
      `event: policy\rdata: ${JSON.stringify({ policy: policy(3, 0.25) }).slice(0, 20)}`,
      `${JSON.stringify({ policy: policy(3, 0.25) }).slice(20)}\r\r`,
    ].join('')
    const server = await startHostileServer((req, res) => {
      if (!req.url.includes('/stream')) {
        res.writeHead(200, { 'content-type': 'application/json', etag: '"1"' })
        res.end(JSON.stringify(policy(1, 1)))
        return
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      // Seven bytes at a time: every boundary lands inside a line or a line end somewhere.
      let i = 0
      const timer = setInterval(() => {
        if (i >= stream.length) return clearInterval(timer)
        res.write(stream.slice(i, i + 7))
        i += 7
      }, 1)
    })
    servers.push(server)
    const diagnostics: Diagnostic[] = []
    const sieve = make(server.url, diagnostics, 'sse')
    await until(() => sieve.policy.version === 3)
    expect(sieve.policy.defaults.levels.info).toBe(0.25)
    expect(diagnostics.filter((d) => d.code !== 'LOGSIEVE_STATS')).toEqual([])
  })

  it('joins multi-line data as the spec says', async () => {
    const json = JSON.stringify({ policy: policy(4, 0.125) }, null, 1).split('\n')
    const server = await startHostileServer((req, res) => {
      if (!req.url.includes('/stream')) {
        res.writeHead(304)
        res.end()
        return
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.write(`id: 4\nevent: policy\n${json.map((l) => `data:${l}`).join('\n')}\n\n`)
    })
    servers.push(server)
    const sieve = make(server.url, [], 'sse')
    await until(() => sieve.policy.version === 4)
    expect(sieve.policy.defaults.levels.info).toBe(0.125)
  })
})
