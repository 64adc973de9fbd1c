// Every server command as CI runs it: a spawned `logsieve` against a real policy server on a real port,
// with a SQLite file in a temp dir.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer as createHttpServer } from 'node:http'
import { type AddressInfo, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { RunningServer } from '@logsieve/server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { json, type Loose, runCli, startTestServer } from './helpers.js'

const ADMIN = 'lsk_test_admin_key_for_cli_tests'
const NOISY = 'aaaaaaaaaaaaaaa1'
const ORDERS = 'bbbbbbbbbbbbbbb2'
const FAILS = 'ccccccccccccccc3'

let dir: string
let server: RunningServer
let env: Record<string, string>

async function sendStats(ingestKey: string, service: string): Promise<void> {
  const end = Date.now()
  const start = end - 60_000
  const firstSeen = new Date(end - 3 * 86_400_000).toISOString()
  const pattern = (signature: string, level: string, template: string, seen: number, size: number) => ({
    signature,
    level,
    template,
    seen,
    kept: seen,
    bytes: seen * size,
    // Logsieve's own fields: 20 B of each written line a plain logger would not write.
    plainBytes: seen * (size - 20),
    firstSeen,
  })
  const body = {
    sdk: { name: '@logsieve/node', version: '0.1.0' },
    service,
    environment: 'default',
    window: { start: new Date(start).toISOString(), end: new Date(end).toISOString() },
    patterns: [
      pattern(NOISY, 'debug', 'cache hit for key <*>', 600_000, 200),
      pattern(ORDERS, 'info', 'order <*> placed by user <*>', 6_000, 300),
      pattern(FAILS, 'error', 'payment <*> failed: <*>', 60, 400),
    ],
  }
  const res = await fetch(`${server.url}/v1/stats`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ingestKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  expect(res.status).toBe(202)
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'logsieve-cli-server-'))
  server = await startTestServer(dir, ADMIN)
  env = { LOGSIEVE_URL: server.url, LOGSIEVE_KEY: ADMIN }
  const ingest = await server.createKey('ingest')
  await sendStats(ingest, 'checkout')
  await sendStats(ingest, 'search')
  await server.flush()
  // One generation folds the window into the rate baselines that /v1/patterns reports.
  await server.generate('checkout')
  await server.generate('search')
})

afterAll(async () => {
  await server?.close()
  rmSync(dir, { recursive: true, force: true })
})

const cli = (args: string[], extra?: Record<string, string | undefined>) =>
  runCli(args, { env: { ...env, ...extra } })

describe('errors every server command shares', () => {
  it('names an unreachable server (exit 3), a refused key (exit 4) and a missing --server (exit 2)', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port
        s.close(() => resolve(p))
      })
    })
    const [down, badKey, noKey, noServer] = await Promise.all([
      cli(['policy', 'get', '-s', 'checkout'], { LOGSIEVE_URL: `http://127.0.0.1:${port}` }),
      cli(['policy', 'history', '-s', 'checkout', '--key', 'lsk_nope_nope']),
      cli(['keys', 'list'], { LOGSIEVE_KEY: undefined }),
      cli(['keys', 'list'], { LOGSIEVE_URL: undefined }),
    ])
    expect(down.code).toBe(3)
    expect(down.stderr).toMatch(
      new RegExp(`cannot reach the policy server at http://127.0.0.1:${port}: ECONNREFUSED`),
    )
    expect(badKey.code).toBe(4)
    expect(badKey.stderr).toMatch(/the key was refused/)
    expect(noKey.code).toBe(4)
    expect(noKey.stderr).toMatch(/no key given: pass --key or set LOGSIEVE_KEY/)
    expect(noServer.code).toBe(2)
    expect(noServer.stderr).toMatch(/no policy server: pass --server URL or set LOGSIEVE_URL/)
  })

  it('reports an unknown service (exit 5), with a JSON error body under --json', async () => {
    const [top, budget] = await Promise.all([
      cli(['patterns', 'top', '-s', 'nope', '--json']),
      cli(['budget', 'check', '-s', 'nope', '--max', '1GB/day']),
    ])
    expect(top.code).toBe(5)
    expect(json<Loose>(top).error).toMatchObject({ code: 'LOGSIEVE_UNKNOWN_SERVICE', exitCode: 5 })
    expect(top.stderr).toMatch(/unknown service nope\/default \(the server knows: .*checkout\/default/)
    expect(budget.code).toBe(5)
  })
})

describe('keys with the wrong powers, and servers that are not logsieve', () => {
  it('refuses an ingest key on admin commands (exit 4) and reports a non-JSON answer (exit 7)', async () => {
    const ingest = await server.createKey('ingest', ['checkout'])
    const html = createHttpServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html>hi</html>'),
    )
    await new Promise<void>((resolve) => html.listen(0, '127.0.0.1', resolve))
    const { port } = html.address() as AddressInfo
    try {
      const [forbidden, notLogsieve] = await Promise.all([
        cli(['keys', 'list'], { LOGSIEVE_KEY: ingest }),
        cli(['settings', 'get', '-s', 'checkout'], { LOGSIEVE_URL: `http://127.0.0.1:${port}` }),
      ])
      expect(forbidden.code).toBe(4)
      expect(forbidden.stderr).toMatch(/the key is not allowed to do this/)
      expect(notLogsieve.code).toBe(7)
      expect(notLogsieve.stderr).toMatch(
        /body that is not JSON \(is http:\/\/127\.0\.0\.1:\d+ a logsieve server\?\)/,
      )
    } finally {
      await new Promise((resolve) => html.close(resolve))
    }
  })
})

describe('keys', () => {
  it('creates, lists and revokes keys; a revoked key is refused', async () => {
    const created = await cli(['keys', 'create', '--scope', 'admin', '--name', 'ci', '--json'])
    expect(created.code).toBe(0)
    const key = json<Loose>(created)
    expect(key).toMatchObject({ scope: 'admin', name: 'ci', key: expect.stringMatching(/^lsk_/) })
    const works = await cli(['keys', 'list'], { LOGSIEVE_KEY: key.key })
    expect(works.code).toBe(0)
    expect(works.stdout).toMatch(/^ID +SCOPE +NAME +SERVICES +CREATED +REVOKED/)
    expect(works.stdout).toContain(key.id)
    const revoked = await cli(['keys', 'revoke', key.id])
    expect(revoked).toMatchObject({ code: 0, stdout: `revoked ${key.id}\n` })
    const refused = await cli(['keys', 'list'], { LOGSIEVE_KEY: key.key })
    expect(refused.code).toBe(4)
    const again = await cli(['keys', 'revoke', key.id])
    expect(again.code).toBe(5)
  })

  it('prints only the key on stdout in human mode, so it can be captured', async () => {
    const created = await cli(['keys', 'create', '--scope', 'ingest', '--services', 'checkout,search'])
    expect(created.code).toBe(0)
    expect(created.stdout).toMatch(/^lsk_\S+\n$/)
    expect(created.stderr).toMatch(/shown only once/)
  })
})

describe('settings', () => {
  it('sets a budget and reads it back; refuses a bad value with exit 2', async () => {
    const set = await cli([
      'settings',
      'set',
      '-s',
      'checkout',
      '--budget',
      '2GB/day',
      '--floor',
      '2',
      '--json',
    ])
    expect(set.code).toBe(0)
    expect(json<Loose>(set)).toMatchObject({ budget: { bytesPerDay: 2e9 }, floorPerMinute: 2 })
    const got = await cli(['settings', 'get', '-s', 'checkout'])
    expect(got.code).toBe(0)
    expect(got.stdout).toMatch(/^budget: +2\.00 GB\/day$/m)
    const bad = await cli(['settings', 'set', '-s', 'checkout', '--budget', 'much'])
    expect(bad.code).toBe(2)
  })
})

describe('policy as code', () => {
  it('generates a dry run without storing it, then stores a generated version', async () => {
    const dry = await cli(['policy', 'generate', '-s', 'search', '--dry-run', '--json'])
    expect(dry.code).toBe(0)
    expect(json<Loose>(dry)).toMatchObject({ dryRun: true, stored: false, policy: { service: 'search' } })
    const history = json<Loose>(await cli(['policy', 'history', '-s', 'search', '--json']))
    const human = await cli(['policy', 'generate', '-s', 'search', '--dry-run'])
    expect(human.stdout).toMatch(/^dry run: not stored/)
    expect(human.stdout).toMatch(/SIGNATURE +LEVEL +RATE +MAX\/S +REASON +TEMPLATE/)
    // The projection's before is plain bytes (180 B lines here), its after written bytes.
    expect(human.stdout).toMatch(/^projection: +\S+ \S+\/day plain -> \S+ \S+\/day written/m)
    const after = json<Loose>(await cli(['policy', 'history', '-s', 'search', '--json']))
    expect(after.versions).toEqual(history.versions)
  })

  it('refuses an invalid policy file naming the field, locally (exit 6) and without touching the server', async () => {
    const bad = join(dir, 'bad.yaml')
    writeFileSync(bad, `service: checkout\nrules:\n  - signature: ${NOISY}\n    rate: 2\n`)
    const local = await cli(['policy', 'validate', bad], { LOGSIEVE_URL: undefined })
    expect(local.code).toBe(6)
    expect(local.stderr).toMatch(/rules\[0\]\.rate must be <= 1/)
    const apply = await cli(['policy', 'apply', bad, '-s', 'checkout', '--json'])
    expect(apply.code).toBe(6)
    expect(json<Loose>(apply).error).toMatchObject({
      field: 'rules[0].rate',
      code: 'LOGSIEVE_POLICY_INVALID',
    })
    const errorSampled = join(dir, 'errors.json')
    writeFileSync(errorSampled, JSON.stringify({ service: 'checkout', defaults: { levels: { error: 0.5 } } }))
    const refused = await cli(['policy', 'validate', errorSampled])
    expect(refused.code).toBe(6)
    expect(refused.stderr).toMatch(/defaults\.levels\.error must be 1/)
  })

  it('validates, diffs, applies, shows history and rolls back a YAML policy', async () => {
    const file = join(dir, 'checkout.yaml')
    writeFileSync(
      file,
      [
        '# checkout sampling policy, reviewed in pull requests',
        'service: checkout',
        'defaults:',
        '  levels: { debug: 0.125 }',
        'rules:',
        `  - signature: ${NOISY}`,
        '    level: debug',
        '    rate: 0.0625',
        '    reason: manual',
        '    template: cache hit for key <*>',
        '',
      ].join('\n'),
    )
    const valid = await cli(['policy', 'validate', file, '-s', 'checkout'])
    expect(valid).toMatchObject({ code: 0, stdout: `${file}: valid (1 rules for checkout/default)\n` })

    const diff = await cli(['policy', 'diff', '-s', 'checkout', '--file', file, '--exit-code'])
    expect(diff.code).toBe(1)
    expect(diff.stdout).toMatch(/^~ defaults\.levels\.debug: unset -> 1\/8$/m)
    // The generated policy (from beforeAll) kept the noisy pattern whole; the file samples it.
    expect(diff.stdout).toMatch(
      new RegExp(`^~ ${NOISY} debug .*rate 1 \\(budget\\) -> rate 1/16 \\(manual\\)$`, 'm'),
    )

    const applied = await cli(['policy', 'apply', file, '-s', 'checkout', '--reason', 'PR #12'])
    expect(applied.code).toBe(0)
    const v1 = Number(/now version (\d+)/.exec(applied.stdout)?.[1])
    expect(v1).toBeGreaterThan(0)
    const again = await cli(['policy', 'apply', file, '-s', 'checkout', '--json'])
    const v2 = json<Loose>(again).policy.version
    expect(v2).toBe(v1 + 1)

    const get = json<Loose>(await cli(['policy', 'get', '-s', 'checkout', '--json']))
    expect(get).toMatchObject({ version: v2, source: 'manual', rules: [{ signature: NOISY, rate: 0.0625 }] })
    const history = await cli(['policy', 'history', '-s', 'checkout'])
    expect(history.stdout).toMatch(/^VERSION +SOURCE +CREATED +RULES +BYTES\/DAY +AUTHOR +REASON/)
    expect(history.stdout).toMatch(/PR #12/)

    const noChange = await cli([
      'policy',
      'diff',
      '-s',
      'checkout',
      '--from',
      String(v1),
      '--to',
      String(v2),
      '--exit-code',
    ])
    expect(noChange).toMatchObject({ code: 0, stdout: 'no changes\n' })

    const rollback = await cli(['policy', 'rollback', '-s', 'checkout', '--to', String(v1), '--json'])
    expect(rollback.code).toBe(0)
    expect(json<Loose>(rollback)).toMatchObject({ version: v2 + 1, source: 'rollback' })
    const missing = await cli(['policy', 'get', '-s', 'checkout', '--version', '999'])
    expect(missing.code).toBe(5)
    expect(missing.stderr).toMatch(/version 999 not found/)
  })
})

describe('pins, patterns and the budget gate', () => {
  it('adds, lists and removes a pin', async () => {
    const add = await cli([
      'pins',
      'add',
      '-s',
      'search',
      '--signature',
      ORDERS,
      '--rate',
      '1',
      '--reason',
      'debugging INC-7',
      '--expires',
      '2h',
      '--json',
    ])
    expect(add.code).toBe(0)
    const pin = json<Loose>(add)
    expect(pin).toMatchObject({ signature: ORDERS, rate: 1, reason: 'debugging INC-7' })
    expect(Date.parse(pin.expiresAt)).toBeGreaterThan(Date.now() + 3_500_000)
    const list = await cli(['pins', 'list', '-s', 'search'])
    expect(list.stdout).toMatch(new RegExp(`${ORDERS} +\\* +1 +\\S+ +debugging INC-7`))
    const remove = await cli(['pins', 'remove', '-s', 'search', '--signature', ORDERS])
    expect(remove).toMatchObject({ code: 0, stdout: `removed 1 pin (${pin.id})\n` })
    expect(json<Loose>(await cli(['pins', 'list', '-s', 'search', '--json'])).pins).toEqual([])
    const bad = await cli([
      'pins',
      'add',
      '-s',
      'search',
      '--signature',
      'xyz',
      '--rate',
      '1',
      '--reason',
      'r',
    ])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/--signature/)
  })

  it('lists the top patterns by volume', async () => {
    const top = await cli(['patterns', 'top', '-s', 'search', '--json'])
    expect(top.code).toBe(0)
    const body = json<Loose>(top)
    expect(body.patterns.map((p: Loose) => p.signature)).toEqual([NOISY, ORDERS, FAILS])
    const [noisy] = body.patterns
    expect(noisy.eventsPerSecond).toBeGreaterThan(0)
    // Volumes and savings against plain bytes (180 B a line), what is written against written ones (200 B).
    const plain = noisy.eventsPerSecond * 180 * 86_400
    expect(noisy.plainBytesPerDay).toBeCloseTo(plain, -3)
    expect(noisy.projectedBytesPerDay).toBeCloseTo(noisy.eventsPerSecond * 200 * 86_400 * noisy.rate, -3)
    expect(noisy.savedBytesPerDay).toBeCloseTo(plain - noisy.projectedBytesPerDay, -3)
    const human = await cli(['patterns', 'top', '-s', 'search', '--limit', '2'])
    expect(human.stdout.trimEnd().split('\n')).toHaveLength(3)
    expect(human.stdout).toMatch(/EVENTS\/S +PLAIN\/DAY +SHARE +LEVEL +RATE +WRITTEN\/DAY +SAVED +SIGNATURE/)
    expect(human.stdout).toMatch(/cache hit for key <\*>/)
  })

  it('passes under a large budget and fails (exit 1) over a small one, for the current or a proposed policy', async () => {
    const pass = await cli(['budget', 'check', '-s', 'search', '--max', '10TB/day', '--json'])
    expect(pass.code).toBe(0)
    const summary = json<Loose>(pass)
    expect(summary).toMatchObject({ ok: true, service: 'search', maxBytesPerDay: 10e12 })
    // Before sampling in plain bytes: what the loggers would write without Logsieve's fields.
    const patterns = json<Loose>(await cli(['patterns', 'top', '-s', 'search', '--json'])).patterns
    const plainTotal = patterns.reduce((sum: number, p: Loose) => sum + p.plainBytesPerDay, 0)
    expect(summary.observedBytesPerDay).toBeGreaterThan(0)
    expect(summary.observedBytesPerDay).toBeCloseTo(plainTotal, -3)
    const fail = await cli(['budget', 'check', '-s', 'search', '--max', '1MB/day'])
    expect(fail.code).toBe(1)
    expect(fail.stdout).toMatch(/^budget check: +FAIL: search \(default\)$/m)
    expect(fail.stdout).toMatch(/^over by: /m)
    // A proposed file that drops the noisy debug pattern to 1/1024 projects far less than the current policy.
    const proposed = join(dir, 'search.json')
    writeFileSync(
      proposed,
      JSON.stringify({ service: 'search', rules: [{ signature: NOISY, level: 'debug', rate: 1 / 1024 }] }),
    )
    const withFile = json<Loose>(
      await cli(['budget', 'check', '-s', 'search', '--max', '10TB/day', '--policy', proposed, '--json']),
    )
    expect(withFile.projectedBytesPerDay).toBeLessThan(summary.projectedBytesPerDay)
    expect(withFile.policy).toEqual({ file: proposed })
    // --observed checks what the SDKs actually kept over the last 24 h (the batch above: 600,000 × 200 B + …).
    const observed = json<Loose>(
      await cli(['budget', 'check', '-s', 'search', '--max', '200MB/day', '--observed', '--json']),
    )
    expect(observed).toMatchObject({
      basis: 'observed',
      ok: true,
      keptBytesLast24h: 600_000 * 200 + 6_000 * 300 + 60 * 400,
    })
    const observedFail = await cli(['budget', 'check', '-s', 'search', '--max', '100MB/day', '--observed'])
    expect(observedFail.code).toBe(1)
    expect(observedFail.stdout).toMatch(/^kept, last 24 h: +122 MB \(checked\)$/m)
    const usage = await cli(['budget', 'check', '-s', 'search', '--max', '90%'])
    expect(usage.code).toBe(2)
  })
})
