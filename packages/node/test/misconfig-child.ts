// Child process for the misconfiguration tests: a sieve with the default diagnostics (stderr), pointed at
// the given server and key, that logs, sends stats twice and polls the policy twice, then exits.
import { createSieve, integrationOf } from '../src/index.js'

const [url, apiKey] = process.argv.slice(2) as [string, string]
const sieve = createSieve({
  service: 'checkout',
  environment: 'test',
  server: { url, apiKey },
  cacheDir: false,
})
for (let i = 0; i < 100; i++) integrationOf(sieve).decide('info', 'order %d shipped', true)
await sieve.flush()
for (let i = 0; i < 100; i++) integrationOf(sieve).decide('info', 'order %d shipped', true)
await sieve.flush()
// The policy fetch at start has answered (or failed) by now; wait for it all the same.
await new Promise((r) => setTimeout(r, 1500))
await sieve.shutdown()
