import { mkdir, mkdtemp, readdir, rename, rm, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROOT_CONTEXT, trace } from '@opentelemetry/api'
import { resourceFromAttributes } from '@opentelemetry/resources'
import {
  InMemoryLogRecordExporter,
  LoggerProvider,
  type ReadableLogRecord,
  SimpleLogRecordProcessor,
} from '@opentelemetry/sdk-logs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createSpool } from './spool.js'
import { decodeBatch, encodeBatch } from './spool-codec.js'

let dir: string
const reports: string[] = []
const report = (code: string) => {
  reports.push(code)
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'logsieve-spool-test-'))
  reports.length = 0
})

afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** Real SDK records: a LoggerProvider writing to the SDK's in-memory exporter. */
async function sdkRecords(count: number): Promise<ReadableLogRecord[]> {
  const memory = new InMemoryLogRecordExporter()
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'spool-test' }),
    processors: [new SimpleLogRecordProcessor({ exporter: memory })],
  })
  const logger = provider.getLogger('scope-a', '1.2.3')
  const context = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: '00f067aa0ba902b7',
    traceFlags: 1,
  })
  for (let i = 0; i < count; i++) {
    logger.emit({
      severityNumber: 13,
      severityText: 'warn',
      body: { msg: `line ${i}`, nested: [1, 'two', { three: 3 }] },
      attributes: { i, raw: new Uint8Array([i, 0, 255]) },
      eventName: i === 0 ? 'first' : undefined,
      timestamp: 1_700_000_000_000 + i,
      context,
    })
  }
  provider.getLogger('scope-b').emit({ body: 'other scope' })
  await provider.forceFlush()
  const records = memory.getFinishedLogRecords()
  await provider.shutdown()
  return records
}

describe('spool codec', () => {
  it('round-trips SDK records with bytes, trace context, scopes and resource', async () => {
    const records = await sdkRecords(3)
    const decoded = decodeBatch(encodeBatch(records))
    expect(decoded).toHaveLength(4)
    for (const [i, record] of decoded.entries()) {
      const original = records[i]!
      expect(record.hrTime).toEqual(original.hrTime)
      expect(record.hrTimeObserved).toEqual(original.hrTimeObserved)
      expect(record.body).toEqual(original.body)
      expect(record.attributes).toEqual(original.attributes)
      expect(record.severityNumber).toBe(original.severityNumber)
      expect(record.severityText).toBe(original.severityText)
      expect(record.eventName).toBe(original.eventName)
      expect(record.instrumentationScope).toEqual(original.instrumentationScope)
      expect(record.resource.attributes).toEqual(original.resource.attributes)
      expect(record.spanContext?.traceId).toBe(original.spanContext?.traceId)
    }
    expect(decoded[0]?.attributes.raw).toBeInstanceOf(Uint8Array)
    // one object per resource and per scope, so the OTLP transformer groups them as before
    expect(decoded[0]?.resource).toBe(decoded[3]?.resource)
    expect(decoded[0]?.instrumentationScope).toBe(decoded[2]?.instrumentationScope)
    expect(decoded[0]?.instrumentationScope).not.toBe(decoded[3]?.instrumentationScope)
  })

  it('rejects text that is not a spool file of this version', () => {
    expect(() => decodeBatch('')).toThrow()
    expect(() => decodeBatch('{"v":99,"resources":[],"scopes":[]}\n')).toThrow(/version 99/)
    expect(() => decodeBatch('not json\n')).toThrow()
  })
})

describe('createSpool', () => {
  it('writes one file per batch, atomically, and indexes the folder at start', async () => {
    const spool = createSpool({ dir, maxBytes: 1_000_000, report })
    expect(await spool.write(await sdkRecords(2))).toBe(true)
    expect(await spool.write(await sdkRecords(1))).toBe(true)
    const names = await readdir(dir)
    expect(names.filter((name) => name.endsWith('.tmp'))).toEqual([])
    expect(spool.entries().map((entry) => entry.records)).toEqual([3, 2])

    // a crash left a temp file behind, another process is writing one now, and there is a foreign file
    const old = new Date(Date.now() - 120_000)
    await writeFile(join(dir, `${names[0]}.tmp`), 'half written')
    await utimes(join(dir, `${names[0]}.tmp`), old, old)
    await writeFile(join(dir, `${names[1]}.tmp`), 'being written')
    await writeFile(join(dir, 'README'), 'not ours')
    const reopened = createSpool({ dir, maxBytes: 1_000_000, report })
    await reopened.ready
    expect(reopened.entries()).toEqual(spool.entries())
    expect((await readdir(dir)).sort()).toEqual([...names, `${names[1]}.tmp`, 'README'].sort())
  })

  it('applies the byte cap at start too, oldest first', async () => {
    const spool = createSpool({ dir, maxBytes: 1_000_000, report })
    for (let i = 0; i < 3; i++) await spool.write(await sdkRecords(1))
    const [oldest, ...rest] = spool.entries()
    const reopened = createSpool({ dir, maxBytes: rest[0]!.bytes + rest[1]!.bytes, report })
    await reopened.ready
    expect(reopened.entries()).toEqual(rest)
    expect(reopened.counters).toMatchObject({ droppedFiles: 1, droppedRecords: oldest!.records })
    expect(reports).toContain('LOGSIEVE_OTLP_SPOOL_FULL')
  })

  it('keeps a claimed file out of the cap, and gives it back when not delivered', async () => {
    const spool = createSpool({ dir, maxBytes: 1_000_000, report })
    await spool.write(await sdkRecords(1))
    const [claimed] = spool.entries()
    const small = createSpool({ dir, maxBytes: claimed!.bytes, report })
    await small.ready
    expect(await small.claim(claimed!)).toHaveLength(2)
    expect(await readdir(dir)).toEqual([`${claimed!.name}.claim-${process.pid}`])
    // a second claim (another exporter, another process) finds nothing to take
    expect(await spool.claim(claimed!)).toBeNull()

    await small.write(await sdkRecords(1))
    // the new file is the one over the cap that can go
    expect(small.entries()).toEqual([claimed])
    expect(small.counters.droppedFiles).toBe(1)
    await small.settle(claimed!, false)
    expect(await readdir(dir)).toEqual([claimed!.name])
    expect(await small.claim(claimed!)).toHaveLength(2)
    await small.settle(claimed!, true)
    expect(await readdir(dir)).toEqual([])
    expect(small.entries()).toEqual([])
  })

  it('releases a claim left by a process that died mid-replay', async () => {
    const spool = createSpool({ dir, maxBytes: 1_000_000, report })
    await spool.write(await sdkRecords(1))
    const [entry] = spool.entries()
    // pid 2^22 + 1 is above Linux's pid_max: no live process has it
    await rename(join(dir, entry!.name), join(dir, `${entry!.name}.claim-4194305`))
    const reopened = createSpool({ dir, maxBytes: 1_000_000, report })
    await reopened.ready
    expect(reopened.entries()).toEqual([entry])
    expect(await readdir(dir)).toEqual([entry!.name])
  })

  it('deletes and counts an unreadable file instead of failing every replay on it', async () => {
    await mkdir(dir, { recursive: true })
    const name = '1700000000000-000001-0123abcd-n7.jsonl'
    await writeFile(join(dir, name), '{"v":1,"resources":[],"scopes":[]}\n{"r":0,"s":0}\n')
    const spool = createSpool({ dir, maxBytes: 1_000_000, report })
    await spool.ready
    const [entry] = spool.entries()
    expect(entry).toMatchObject({ name, records: 7 })
    expect(await spool.claim(entry!)).toBeNull()
    await spool.idle()
    expect(spool.entries()).toEqual([])
    expect(spool.counters).toMatchObject({ droppedFiles: 1, droppedRecords: 7 })
    expect(reports).toContain('LOGSIEVE_OTLP_SPOOL_CORRUPT')
    expect(await readdir(dir)).toEqual([])
  })
})
