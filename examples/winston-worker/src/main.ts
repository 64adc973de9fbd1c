// `pnpm start`: process a batch of fake jobs (every 25th fails) and exit after sieve.shutdown().
import { createWorker } from './worker.js'

const worker = createWorker()
for (let i = 0; i < 100; i++) await worker.run({ id: `job-${i}`, fail: i % 25 === 24 })
await worker.sieve.shutdown()
