// Child process: logs kept lines to an asynchronous file destination, awaits sieve.shutdown() and lets
// the process end on its own (no process.exit), to prove no kept line is lost and no timer holds it open.
import { createSieve } from '@logsieve/node'
import pino from 'pino'
import { sievePino } from '../src/index.js'

const [file, serverUrl] = process.argv.slice(2) as [string, string]
const sieve = createSieve({
  service: 'shutdown',
  server: { url: serverUrl, apiKey: 'nope' },
  cacheDir: false,
  timeoutMs: 500,
  policy: { service: 'shutdown', version: 1, defaults: { levels: { debug: 0 }, newPattern: { rate: 1 } } },
})
const log = pino(
  sievePino(sieve, { level: 'debug' }),
  pino.destination({ dest: file, sync: false, minLength: 4096 }),
)
for (let i = 0; i < 20_000; i++) {
  log.info({ i }, 'kept line %d', i)
  log.debug('dropped line %d', i)
}
await sieve.shutdown()
