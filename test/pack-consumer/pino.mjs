// Run by pack-install.test.ts inside a project that installed the packed tarballs: one line through pino
// with a sieve (ES modules). `signatureField: 'always'` shows the sieve decided the line.
import { createSieve } from '@logsieve/node'
import { sievePino } from '@logsieve/pino'
import pino from 'pino'

const sieve = createSieve({ service: 'pack-consumer', cacheDir: false, onDiagnostic: false })
const log = pino(sievePino(sieve, { level: 'info' }, { signatureField: 'always' }))
log.info({ order: 'o1' }, 'order %s shipped', 'o1')
log.debug('below the level: not written')
await sieve.shutdown()
