// The real bin as a child process: SIGKILL in the middle of a stream of writes loses no committed
// policy version, and SIGTERM shuts down cleanly with the WAL checkpointed.
import type { ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { type BinProcess, exited, killAll, startBin } from './bin.js'
import { ADMIN_KEY, batch, sig } from './helpers.js'

const dir = mkdtempSync(join(tmpdir(), 'logsieve-crash-'))
const dbPath = join(dir, 'logsieve.db')
const children: ChildProcess[] = []

async function start(): Promise<BinProcess> {
  const bin = await startBin(['--db', dbPath, '--log-level', 'warn'], {
    LOGSIEVE_ADMIN_KEY: ADMIN_KEY,
    LOGSIEVE_FLUSH_INTERVAL_MS: '50',
  })
  children.push(bin.child)
  return bin
}

const admin = { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' }

afterAll(() => {
  killAll(children)
  rmSync(dir, { recursive: true, force: true })
})

describe('crash safety of the bin', () => {
  it('keeps every acknowledged policy version after SIGKILL mid-stream, and checkpoints on SIGTERM', async () => {
    const first = await start()
    const acked = new Map<number, number>() // version → rate of its one rule
    let stop = false
    const writer = (async () => {
      for (let i = 0; !stop; i++) {
        const rate = 2 ** -(i % 10)
        const body = JSON.stringify({
          rules: [{ signature: sig(1), rate, reason: 'manual' }],
          reason: `write ${i}`,
        })
        try {
          const res = await fetch(`${first.url}/v1/policies/crash?environment=prod`, {
            method: 'PUT',
            headers: admin,
            body,
          })
          if (res.status === 201)
            acked.set(((await res.json()) as { policy: { version: number } }).policy.version, rate)
          await fetch(`${first.url}/v1/stats`, {
            method: 'POST',
            headers: admin,
            body: JSON.stringify(batch('crash', [[i, 'info', 10, 100]])),
          })
        } catch {
          return // the server is gone
        }
      }
    })()
    while (acked.size < 40) await new Promise((r) => setTimeout(r, 5))
    first.child.kill('SIGKILL')
    const killed = await exited(first.child)
    stop = true
    await writer
    expect(killed.signal).toBe('SIGKILL')

    const second = await start()
    expect((await fetch(`${second.url}/ready`)).status).toBe(200)
    const history = (await (
      await fetch(`${second.url}/v1/policies/crash/history?environment=prod&limit=1000`, { headers: admin })
    ).json()) as { versions: Array<{ version: number }> }
    const stored = new Set(history.versions.map((v) => v.version))
    for (const version of acked.keys()) expect(stored.has(version)).toBe(true)
    const latest = Math.max(...acked.keys())
    const doc = (await (
      await fetch(`${second.url}/v1/policies/crash/versions/${latest}?environment=prod`, { headers: admin })
    ).json()) as { rules: Array<{ rate: number }> }
    expect(doc.rules[0]!.rate).toBe(acked.get(latest))
    // Versions stay contiguous: nothing half-written in between.
    expect([...stored].sort((a, b) => a - b)).toEqual(Array.from({ length: stored.size }, (_, i) => i + 1))

    second.child.kill('SIGTERM')
    expect(await exited(second.child)).toEqual({ code: 0, signal: null })
    const wal = `${dbPath}-wal`
    expect(!existsSync(wal) || statSync(wal).size === 0).toBe(true)
  }, 30_000)
})
