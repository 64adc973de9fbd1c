// The composite action in .github/actions/logsieve, run step by step the way the runner does (bash,
// with the step's env and GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files), against a real policy server.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { RunningServer } from '@logsieve/server'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { parse } from 'yaml'
import { collect, startTestServer } from './helpers.js'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const ACTION = join(ROOT, '.github/actions/logsieve/action.yml')
const EXAMPLE_POLICY = join(ROOT, 'examples/ci/policies/checkout.yaml')
const ADMIN = 'lsk_ci_action_test_admin'

interface Step {
  id?: string
  if?: string
  shell: string
  env?: Record<string, string>
  run: string
}

let dir: string
let server: RunningServer
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'logsieve-cli-action-'))
  server = await startTestServer(dir, ADMIN)
  const ingest = await server.createKey('ingest')
  const now = Date.now()
  const res = await fetch(`${server.url}/v1/stats`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ingest}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      sdk: { name: 'test', version: '0' },
      service: 'checkout',
      environment: 'prod',
      window: { start: new Date(now - 60_000).toISOString(), end: new Date(now).toISOString() },
      patterns: [
        {
          signature: '7c2e9b4f1a3d5e08',
          level: 'debug',
          template: 'cache hit for key <*>',
          seen: 60_000,
          kept: 60_000,
          bytes: 12e6,
        },
      ],
    }),
  })
  expect(res.status).toBe(202)
  await server.flush()
  await server.generate('checkout', 'prod')
})
afterAll(async () => {
  await server?.close()
  rmSync(dir, { recursive: true, force: true })
})

/** Run the action's steps with these inputs; `if:` is read for the two conditions the action uses. */
async function runAction(inputs: Record<string, string>) {
  const action = parse(readFileSync(ACTION, 'utf8')) as {
    inputs: Record<string, { default?: string }>
    runs: { steps: Step[] }
  }
  const values: Record<string, string> = {}
  for (const [name, spec] of Object.entries(action.inputs)) values[name] = inputs[name] ?? spec.default ?? ''
  const expand = (text: string) =>
    text.replace(/\$\{\{\s*inputs\.([\w-]+)\s*\}\}/g, (_, name: string) => {
      if (!(name in values)) throw new Error(`action.yml uses undeclared input ${name}`)
      return values[name]!
    })
  const output = join(dir, `output-${Math.random()}`)
  const summary = join(dir, `summary-${Math.random()}`)
  writeFileSync(output, '')
  writeFileSync(summary, '')
  const ran: Array<{ id: string | undefined; status: number | null; stdout: string; stderr: string }> = []
  for (const step of action.runs.steps) {
    const condition = step.if ?? 'true'
    if (condition.includes("inputs.server != ''") && values.server === '') continue
    if (condition.includes("inputs.max != ''") && values.max === '') continue
    if (condition.includes("inputs.apply == 'true'") && values.apply !== 'true') continue
    expect(step.shell).toBe('bash')
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      GITHUB_OUTPUT: output,
      GITHUB_STEP_SUMMARY: summary,
      RUNNER_TEMP: dir,
    }
    for (const [k, v] of Object.entries(step.env ?? {})) env[k] = expand(v)
    // Asynchronous: the server answers from this process's event loop.
    const r = await bash(step.run, env)
    ran.push({ id: step.id, status: r.status, stdout: r.stdout, stderr: r.stderr })
    if (r.status !== 0) break
  }
  return { ran, output: readFileSync(output, 'utf8'), summary: readFileSync(summary, 'utf8') }
}

function bash(script: string, env: Record<string, string>) {
  return collect(spawn('bash', ['-e', '-c', script], { env, cwd: ROOT })).then((r) => ({
    ...r,
    status: r.code,
  }))
}

describe('.github/actions/logsieve', () => {
  const cli = () => `${process.execPath} ${inject('cliBundle')}`

  it('validates offline when no server is given', async () => {
    const { ran } = await runAction({ policy: EXAMPLE_POLICY, cli: cli() })
    expect(ran).toHaveLength(1)
    expect(ran[0]).toMatchObject({
      status: 0,
      stdout: expect.stringContaining('valid (3 rules for checkout/prod)'),
    })
  })

  it('posts the diff, passes the budget gate, and applies', async () => {
    const { ran, output, summary } = await runAction({
      policy: EXAMPLE_POLICY,
      server: server.url,
      key: ADMIN,
      max: '10GB/day',
      apply: 'true',
      reason: 'merge #7',
      cli: cli(),
    })
    expect(ran.map((r) => r.status)).toEqual([0, 0, 0, 0])
    expect(output).toMatch(/^changed=true$/m)
    expect(output).toMatch(/^diff<<logsieve_[0-9a-f]+\n[\s\S]*~ defaults\.levels\.debug: unset -> 1\/8/m)
    expect(summary).toContain('```diff')
    const budget = JSON.parse(/^budget=(.*)$/m.exec(output)![1]!)
    expect(budget).toMatchObject({ ok: true, service: 'checkout', environment: 'prod' })
    expect(ran[3]!.stdout).toMatch(/applied .*checkout\.yaml: checkout\/prod is now version \d+/)
  })

  it('fails the job when the budget check fails, after the diff was written', async () => {
    const { ran, output } = await runAction({
      policy: EXAMPLE_POLICY,
      server: server.url,
      key: ADMIN,
      max: '1KB/day',
      cli: cli(),
    })
    expect(ran.map((r) => r.status)).toEqual([0, 0, 1])
    expect(ran[2]!.stdout).toMatch(/FAIL: checkout \(prod\)/)
    expect(output).toMatch(/^budget=\{.*"ok": false/m)
  })

  it('fails on an invalid policy file before talking to the server', async () => {
    const bad = join(dir, 'bad.yaml')
    writeFileSync(bad, 'service: checkout\nrefreshSeconds: 0\n')
    const { ran } = await runAction({ policy: bad, server: server.url, key: ADMIN, cli: cli() })
    expect(ran).toHaveLength(1)
    expect(ran[0]!.status).toBe(6)
    expect(ran[0]!.stderr).toMatch(/refreshSeconds must be >= 1/)
  })
})
