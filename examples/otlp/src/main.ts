// Logsieve → OTLP in one file: a pino logger with Logsieve sampling, kept lines exported over OTLP/HTTP
// to a local receiver that prints them; then the receiver "goes down", a line is spooled to disk, and
// replayed when it is back.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { createSieve } from '@logsieve/node'
import { createOtlpExporter } from '@logsieve/node/otlp'
import { sievePino } from '@logsieve/pino'
import pino from 'pino'
import { type PrintedRecord, startReceiver } from './receiver.js'

export interface ExampleResult {
  received: PrintedRecord[]
  /** Lines spooled while the receiver was failing, then replayed. */
  replayed: number
}

/**
 * Run the example. With `collectorUrl` (e.g. the docker-compose collector at
 * http://127.0.0.1:4318/v1/logs) lines go there and the local receiver and its outage are skipped.
 */
export async function runExample(
  print: (line: string) => void = console.log,
  collectorUrl?: string,
): Promise<ExampleResult> {
  const received: PrintedRecord[] = []
  const onRecord = (record: PrintedRecord) => {
    received.push(record)
    const trace = record.traceId ? ` trace=${record.traceId}` : ''
    print(
      `collector got: ${record.severity} ${JSON.stringify(record.body)} ${JSON.stringify(record.attributes)}${trace}`,
    )
  }
  const receiver = collectorUrl === undefined ? await startReceiver(onRecord) : undefined
  const spoolDir = await mkdtemp(join(tmpdir(), 'logsieve-otlp-example-'))

  // Your exporter: keep the handle for spoolStats() and replaySpool().
  const otlp = createOtlpExporter({
    url: collectorUrl ?? receiver?.url,
    service: 'checkout',
    environment: 'example',
    spoolDir,
    timeoutMillis: 2_000,
  })
  // No policy server here: a local policy keeps 1 debug line in 8 (a server would generate rules per pattern).
  const policy = {
    service: 'checkout',
    environment: 'example',
    version: 1,
    defaults: { levels: { debug: 0.125 } },
  }
  const sieve = createSieve({ service: 'checkout', environment: 'example', policy, otlp, cacheDir: false })
  // The pino destination is up to you; OTLP export happens for the lines Logsieve keeps.
  const log = pino(sievePino(sieve, { level: 'debug' }), pino.destination({ dest: '/dev/null', sync: true }))

  log.info({ userId: 42 }, 'user %s logged in', 'alice')
  for (let i = 0; i < 200; i++) log.debug('cache lookup for key %s', `k${i}`) // sampled by policy
  sieve.run({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736' }, () => {
    log.error({ orderId: 'o-17' }, 'payment failed') // errors are always kept, with the trace id
  })
  await sieve.flush()

  let replayed = 0
  if (receiver !== undefined) {
    // The collector goes down: the batch fails after the exporter's retries and lands in the spool.
    receiver.failing = true
    log.warn('disk almost full')
    await sieve.flush()
    print(`collector down, spool now: ${JSON.stringify(otlp.spoolStats())}`)

    receiver.failing = false
    replayed = (await otlp.replaySpool()).replayed
    print(`collector back, replayed ${replayed} record(s) from the spool`)
  } else {
    print(`exported to ${collectorUrl}; failed batches in the spool: ${JSON.stringify(otlp.spoolStats())}`)
  }

  await sieve.shutdown() // flushes and stops the exporter too
  await receiver?.close()
  await rm(spoolDir, { recursive: true, force: true })
  return { received, replayed }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await runExample(console.log, process.env.OTLP_URL)
}
