#!/usr/bin/env node
// `logsieve-server`: run the policy server from flags and environment variables.
import { existsSync } from 'node:fs'
import { pino } from 'pino'
import { optionsFromEnv } from './config.js'
import { startServer } from './server.js'
import { isPostgresUrl } from './store/open.js'

/** Log lines held while nothing reads stdout; past this they are dropped, never blocking the server. */
const LOG_BUFFER_BYTES = 4 * 1024 * 1024
/** Time past the drain after which a stuck shutdown exits anyway. */
const EXIT_GRACE_MS = 2000

const argv = process.argv.slice(2)
if (argv.includes('--help') || argv.includes('-h')) {
  process.stdout.write(`logsieve-server migrate --from ./.logsieve/logsieve.db --to postgres://user@host:5432/db
  Copy a SQLite database into a new PostgreSQL database (see docs/deployment.md, "Scaling out").
logsieve-server [--port 7070] [--host 127.0.0.1] [--db ./.logsieve/logsieve.db]
  [--admin-key KEY] [--generation-interval-ms 60000] [--flush-interval-ms 2000] [--body-limit 1048576]
  [--retention-days 7] [--cors-origins a,b] [--rate-limit 200] [--log-level info]
Environment: LOGSIEVE_PORT, LOGSIEVE_HOST, LOGSIEVE_DB, LOGSIEVE_ADMIN_KEY, LOGSIEVE_GENERATION_INTERVAL_MS,
  LOGSIEVE_FLUSH_INTERVAL_MS, LOGSIEVE_BODY_LIMIT, LOGSIEVE_RETENTION_DAYS, LOGSIEVE_CORS_ORIGINS,
  LOGSIEVE_RATE_LIMIT, LOGSIEVE_LOG_LEVEL
`)
  process.exit(0)
}

/** `migrate --from file.db --to postgres://…`: copy the data, print what was copied. */
async function migrate(): Promise<void> {
  const flag = (name: string) => {
    const i = argv.indexOf(`--${name}`)
    const v = i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3)
    if (!v) throw new Error(`LOGSIEVE_CONFIG_INVALID: migrate needs --${name}`)
    return v
  }
  const from = flag('from')
  const to = flag('to')
  if (!existsSync(from)) throw new Error(`LOGSIEVE_CONFIG_INVALID: --from ${from} does not exist`)
  if (!isPostgresUrl(to)) throw new Error('LOGSIEVE_CONFIG_INVALID: --to must be a postgres:// URL')
  const { copySqliteToPostgres } = await import('./store/copy.js')
  const { tables } = await copySqliteToPostgres(from, to)
  for (const [table, n] of Object.entries(tables)) process.stdout.write(`${table}: ${n} rows\n`)
  process.stdout.write('migrated\n')
}

async function main(): Promise<void> {
  if (argv[0] === 'migrate') return migrate()
  const options = optionsFromEnv(argv, process.env)
  // Asynchronous stdout with a bounded buffer: a full pipe (nobody reading) delays or drops log lines
  // but never blocks the event loop, so requests and SIGTERM are still served.
  const destination = pino.destination({ dest: 1, sync: false, maxLength: LOG_BUFFER_BYTES })
  const level = typeof options.logger === 'string' ? options.logger : 'info'
  const server = await startServer({ ...options, logger: pino({ level, name: 'logsieve' }, destination) })
  const drainMs = server.context.options.drainMs
  const exit = (code: number): never => {
    // pino flushes synchronously at exit, which would wait forever on a pipe nobody reads.
    destination.destroy()
    process.exit(code)
  }
  if (server.createdAdminKey) {
    // Printed once, on the first start without LOGSIEVE_ADMIN_KEY: only its hash is stored.
    process.stdout.write(
      `\nCreated the first admin key (shown only once; store it now):\n  ${server.createdAdminKey}\n\n`,
    )
  }
  process.stdout.write(`logsieve-server listening on ${server.url}\n`)
  let stopping = false
  const stop = (signal: string) => {
    if (stopping) return
    stopping = true
    server.context.logger.info({ signal }, 'shutting down')
    setTimeout(() => exit(1), drainMs + EXIT_GRACE_MS).unref()
    server.close().then(
      () => exit(0),
      (err: unknown) => {
        server.context.logger.error({ err }, 'shutdown failed')
        exit(1)
      },
    )
  }
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))
}

main().catch((err: unknown) => {
  process.stderr.write(`logsieve-server: ${(err as Error).message}\n`)
  process.exit(1)
})
