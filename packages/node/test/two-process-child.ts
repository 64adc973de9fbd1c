// Child process for the "two processes keep the same traces" test: prints the trace ids it kept.
import { createHash } from 'node:crypto'
import { createSieve, integrationOf } from '../src/index.js'

const [url, apiKey, version] = process.argv.slice(2) as [string, string, string]
const sieve = createSieve({
  service: 'checkout',
  environment: 'test',
  server: { url, apiKey },
  cacheDir: false,
})
const deadline = Date.now() + 10_000
while (sieve.policy.version < Number(version) && Date.now() < deadline)
  await new Promise((r) => setTimeout(r, 20))
const kept: string[] = []
for (let i = 0; i < 400; i++) {
  const traceId = createHash('md5').update(`request-${i}`).digest('hex')
  if (integrationOf(sieve).decide('info', 'request %s handled', true, traceId).keep) kept.push(traceId)
}
process.stdout.write(JSON.stringify({ version: sieve.policy.version, kept }))
await sieve.shutdown()
