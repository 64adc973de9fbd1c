import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  createOtlpExporter,
  type OtlpDiagnostic,
  type OtlpExporter,
  type OtlpExporterOptions,
} from './index.js'
import { type Receiver, startReceiver, waitFor } from './receiver.test-helper.js'

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736'
const SPAN_ID = '00f067aa0ba902b7'

let receiver: Receiver
let spoolDir: string
const exporters: OtlpExporter[] = []

beforeEach(async () => {
  receiver = await startReceiver()
  spoolDir = await mkdtemp(join(tmpdir(), 'logsieve-otlp-test-'))
})

afterEach(async () => {
  await Promise.all(exporters.splice(0).map((exporter) => exporter.shutdown()))
  await receiver.close()
  await rm(spoolDir, { recursive: true, force: true })
})

function exporter(options: OtlpExporterOptions = {}): OtlpExporter {
  const created = createOtlpExporter({
    url: receiver.url,
    service: 'checkout',
    environment: 'test',
    spoolDir,
    // the batch processor's timer never fires in these tests: flush() decides when batches go
    scheduledDelayMillis: 60_000,
    timeoutMillis: 2_000,
    ...options,
  })
  exporters.push(created)
  return created
}

function info(body: unknown, attributes?: Record<string, unknown>) {
  return { severityNumber: 9, severityText: 'info', body, attributes }
}

describe('createOtlpExporter: export over real OTLP/HTTP JSON', () => {
  it('sends bodies, severity, attributes, resource and timestamps', async () => {
    const otlp = exporter()
    otlp.emit(info('user 42 logged in', { signature: '9f2c4e1a7b3d5f60', sample_rate: 4, ok: true }))
    otlp.emit({
      severityNumber: 17,
      severityText: 'error',
      body: { msg: 'db down', code: 'E1' },
      timestamp: 1_700_000_000_123,
    })
    await otlp.flush()

    expect(receiver.records).toHaveLength(2)
    const [first, second] = receiver.records
    expect(first).toMatchObject({
      body: 'user 42 logged in',
      severityNumber: 9,
      severityText: 'info',
      attributes: { signature: '9f2c4e1a7b3d5f60', sample_rate: 4, ok: true },
      scope: '@logsieve/node',
    })
    expect(first?.resource).toMatchObject({
      'service.name': 'checkout',
      'deployment.environment.name': 'test',
      'deployment.environment': 'test',
      'telemetry.sdk.language': 'nodejs',
    })
    expect(second).toMatchObject({
      body: { msg: 'db down', code: 'E1' },
      severityNumber: 17,
      severityText: 'error',
    })
    expect(second?.timeUnixNano).toBe('1700000000123000000')
  })

  it('puts the trace and span ids of the record into OTLP traceId/spanId/flags', async () => {
    const otlp = exporter()
    otlp.emit({ ...info('in a request'), traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1 })
    otlp.emit({ ...info('unsampled'), traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 0 })
    otlp.emit({ ...info('invalid ids are left out'), traceId: 'nope', spanId: SPAN_ID })
    otlp.emit(info('no trace'))
    await otlp.flush()

    const byBody = new Map(receiver.records.map((record) => [record.body, record]))
    expect(byBody.get('in a request')).toMatchObject({ traceId: TRACE_ID, spanId: SPAN_ID, flags: 1 })
    expect(byBody.get('unsampled')).toMatchObject({ traceId: TRACE_ID, spanId: SPAN_ID, flags: 0 })
    expect(byBody.get('invalid ids are left out')).toMatchObject({ traceId: '', spanId: '' })
    expect(byBody.get('no trace')).toMatchObject({ traceId: '', spanId: '' })
  })

  it('sends custom headers and gzip bodies', async () => {
    const otlp = exporter({
      compression: 'gzip',
      headers: { 'x-api-key': 'k1' },
      resourceAttributes: { team: 'pay' },
    })
    otlp.emit(info('compressed'))
    await otlp.flush()
    expect(receiver.records.map((record) => record.body)).toEqual(['compressed'])
    expect(receiver.headers).toMatchObject({
      'x-api-key': 'k1',
      'content-encoding': 'gzip',
      'content-type': 'application/json',
    })
    expect(receiver.records[0]?.resource).toMatchObject({ team: 'pay', 'service.name': 'checkout' })
  })

  it('never throws on values JSON cannot hold, and ignores emits after shutdown', async () => {
    const otlp = exporter()
    const circular: Record<string, unknown> = { name: 'loop' }
    circular.self = circular
    const error = Object.assign(new Error('boom'), { code: 'E_BOOM' })
    const inner = new Error('inner')
    otlp.emit(
      info(circular, {
        err: error,
        nested: { inner },
        big: 10n,
        nan: Number.NaN,
        fn: () => 1,
        when: new Date(0),
      }),
    )
    otlp.emit(info('x'.repeat(100_000)))
    await otlp.flush()

    const [odd, huge] = receiver.records
    expect(odd?.body).toEqual({ name: 'loop', self: '[Circular]' })
    expect(odd?.attributes).toMatchObject({
      // the line's error becomes OpenTelemetry exception attributes; nested Errors become maps
      'exception.type': 'E_BOOM',
      'exception.message': 'boom',
      'exception.stacktrace': error.stack,
      nested: { inner: { name: 'Error', message: 'inner', stack: inner.stack } },
      big: '10',
      nan: 'NaN',
      when: '1970-01-01T00:00:00.000Z',
    })
    expect(odd?.attributes).not.toHaveProperty('fn')
    expect(odd?.attributes).not.toHaveProperty('err')
    expect(String(huge?.body)).toHaveLength(64 * 1024 + '…[truncated]'.length)

    await otlp.shutdown()
    otlp.emit(info('after shutdown'))
    await otlp.flush()
    expect(receiver.records).toHaveLength(2)
  })

  it('counts records dropped because the in-memory queue was full', async () => {
    const otlp = exporter({ maxQueueSize: 4, maxExportBatchSize: 4 })
    // a full batch starts an export at once; while it is in flight 4 more fit in the queue, 2 do not
    for (let i = 0; i < 10; i++) otlp.emit(info(`line ${i}`))
    await otlp.flush()
    expect(receiver.records).toHaveLength(8)
    expect(otlp.spoolStats().queueDroppedRecords).toBe(2)
  })
})

describe('createOtlpExporter: spool for batches that failed for good', () => {
  it('spools a batch once the exporter has exhausted its retries on 503', async () => {
    receiver.status = 503
    const otlp = exporter()
    otlp.emit(info('a'))
    otlp.emit(info('b'))
    await otlp.flush()

    // 1 attempt + the exporter's 5 retries (Retry-After: 0 keeps them immediate)
    expect(receiver.attempts).toBe(6)
    expect(otlp.spoolStats()).toMatchObject({ files: 1, records: 2, spooledRecords: 2, lostRecords: 0 })
    expect(otlp.spoolStats().bytes).toBeGreaterThan(0)
    const files = await readdir(spoolDir)
    expect(files).toHaveLength(1)
    expect(files[0]).toMatch(/-n2\.jsonl$/)
  })

  it('spools at once on a non-retryable 500, then replaySpool delivers every record once', async () => {
    receiver.status = 500
    const otlp = exporter({ maxExportBatchSize: 2 })
    for (let i = 0; i < 5; i++) otlp.emit(info(`line ${i}`, { bytes: new Uint8Array([i, 255]) }))
    await otlp.flush()
    expect(receiver.attempts).toBe(3)
    expect(otlp.spoolStats()).toMatchObject({ files: 3, records: 5 })

    // still down: nothing lost, nothing spooled twice
    expect(await otlp.replaySpool()).toEqual({ replayed: 0, failed: 5 })
    expect(otlp.spoolStats()).toMatchObject({ files: 3, records: 5, spooledRecords: 5 })

    receiver.status = 200
    const [first, second] = await Promise.all([otlp.replaySpool(), otlp.replaySpool()])
    expect(first).toEqual({ replayed: 5, failed: 0 })
    expect(second).toEqual(first) // a concurrent call joins the running pass instead of resending
    expect(await otlp.replaySpool()).toEqual({ replayed: 0, failed: 0 })

    expect(receiver.records.map((record) => record.body)).toEqual([0, 1, 2, 3, 4].map((i) => `line ${i}`))
    expect(receiver.records[4]?.attributes.bytes).toEqual(new Uint8Array([4, 255]))
    expect(otlp.spoolStats()).toMatchObject({ files: 0, bytes: 0, records: 0, replayedRecords: 5 })
    expect(await readdir(spoolDir)).toEqual([])
  })

  it('keeps the spool under its byte cap by dropping the oldest batches, and counts them', async () => {
    receiver.status = 500
    const probe = exporter({ maxExportBatchSize: 1 })
    probe.emit(info('line 0'))
    await probe.flush()
    const oneFile = probe.spoolStats().bytes
    await probe.shutdown()
    await rm(spoolDir, { recursive: true, force: true })

    const otlp = exporter({ maxExportBatchSize: 1, spoolMaxBytes: oneFile * 2 + 10 })
    for (let i = 0; i < 5; i++) {
      otlp.emit(info(`line ${i}`))
      await otlp.flush()
    }
    expect(otlp.spoolStats()).toMatchObject({ files: 2, records: 2, droppedFiles: 3, droppedRecords: 3 })
    expect(otlp.spoolStats().bytes).toBeLessThanOrEqual(oneFile * 2 + 10)

    receiver.status = 200
    expect(await otlp.replaySpool()).toEqual({ replayed: 2, failed: 0 })
    expect(receiver.records.map((record) => record.body)).toEqual(['line 3', 'line 4'])
  })

  it('a new exporter on the same spool folder replays it in the background at start', async () => {
    receiver.status = 503
    const before = exporter()
    before.emit({ ...info('from the last run'), traceId: TRACE_ID, spanId: SPAN_ID })
    await before.shutdown() // shutdown flushes: the failing batch is on disk when it resolves
    expect(await readdir(spoolDir)).toHaveLength(1)

    receiver.status = 200
    const after = exporter()
    await waitFor(() => receiver.records.length === 1, 'the start-up replay')
    expect(receiver.records[0]).toMatchObject({
      body: 'from the last run',
      traceId: TRACE_ID,
      spanId: SPAN_ID,
    })
    expect(receiver.records[0]?.resource).toMatchObject({ 'service.name': 'checkout' })
    await waitFor(() => after.spoolStats().files === 0, 'the replayed file to be deleted')
    expect(await after.replaySpool()).toEqual({ replayed: 0, failed: 0 })
    expect(receiver.records).toHaveLength(1)
  })

  it('two exporters sharing a spool folder deliver each spooled batch once', async () => {
    receiver.status = 500
    const before = exporter({ maxExportBatchSize: 1 })
    for (let i = 0; i < 6; i++) before.emit(info(`line ${i}`))
    await before.shutdown()
    expect(await readdir(spoolDir)).toHaveLength(6)

    receiver.status = 200
    const [a, b] = [exporter(), exporter()] // both start a replay of the same folder
    const [ra, rb] = await Promise.all([a.replaySpool(), b.replaySpool()])
    expect(ra.replayed + rb.replayed).toBe(6)
    expect(receiver.records.map((record) => record.body).sort()).toEqual(
      [0, 1, 2, 3, 4, 5].map((i) => `line ${i}`),
    )
    expect(await readdir(spoolDir)).toEqual([])
  })

  it('does not spool batches the receiver rejects for good (400/413), and drops them from the spool', async () => {
    receiver.status = 400
    const otlp = exporter()
    otlp.emit(info('malformed for this receiver'))
    await otlp.flush()
    expect(otlp.spoolStats()).toMatchObject({ files: 0, rejectedRecords: 1, lostRecords: 0 })

    receiver.status = 500
    otlp.emit(info('spooled, then rejected'))
    otlp.emit(info('spooled, then delivered'))
    await otlp.flush() // one batch of two
    receiver.status = 503
    otlp.emit(info('second batch'))
    await otlp.flush()
    expect(otlp.spoolStats()).toMatchObject({ files: 2, records: 3 })

    // a rejected file is deleted and the replay goes on to the next one instead of stopping there
    receiver.status = 413
    expect(await otlp.replaySpool()).toEqual({ replayed: 0, failed: 0 })
    expect(otlp.spoolStats()).toMatchObject({ files: 0, rejectedRecords: 4 })
    expect(receiver.records).toEqual([])
  })

  it('reports and counts lost batches when the spool is disabled or cannot be written', async () => {
    receiver.status = 500
    const events: OtlpDiagnostic[] = []
    const onDiagnostic = (event: OtlpDiagnostic) => {
      events.push(event)
      throw new Error('a throwing callback changes nothing')
    }
    const noSpool = exporter({ spoolDir: false, onDiagnostic })
    noSpool.emit(info('gone'))
    await noSpool.flush()
    expect(noSpool.spoolStats()).toMatchObject({ files: 0, lostRecords: 1 })

    // a regular file where the folder should be: every spool write fails
    await writeFile(join(spoolDir, 'file'), 'not a folder')
    const blocked = exporter({ spoolDir: join(spoolDir, 'file', 'sub'), onDiagnostic })
    blocked.emit(info('also gone'))
    await blocked.flush()
    expect(blocked.spoolStats()).toMatchObject({ files: 0, lostRecords: 1 })
    expect(await blocked.replaySpool()).toEqual({ replayed: 0, failed: 0 })
    expect(events.map((event) => event.code)).toContain('LOGSIEVE_OTLP_EXPORT_FAILED')
    expect(events.map((event) => event.code)).toContain('LOGSIEVE_OTLP_SPOOL_IO')
  })

  it('flush and shutdown resolve when nothing listens at the URL', async () => {
    const url = receiver.url
    await receiver.close()
    const otlp = exporter({ url, timeoutMillis: 500 })
    otlp.emit(info('nobody home'))
    await otlp.flush()
    await otlp.shutdown()
    expect(otlp.spoolStats()).toMatchObject({ files: 1, records: 1 })
    receiver = await startReceiver()
  })
})
