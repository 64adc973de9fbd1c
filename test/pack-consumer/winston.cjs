// Run by pack-install.test.ts inside a project that installed the packed tarballs: one line through
// winston with a sieve (CommonJS). `signatureField: 'always'` shows the sieve decided the line.
const { createSieve } = require('@logsieve/node')
const { attachSieve } = require('@logsieve/winston')
const winston = require('winston')

const format = winston.format.combine(winston.format.splat(), winston.format.json())
const logger = winston.createLogger({ level: 'info', format, transports: [new winston.transports.Console()] })
const sieve = createSieve({ service: 'pack-consumer', cacheDir: false, onDiagnostic: false })
attachSieve(logger, sieve, { signatureField: 'always' })
logger.info('job %s done', 'j1')
logger.debug('below the level: not written')
if (logger.format !== format) throw new Error('attachSieve replaced logger.format')
sieve.shutdown()
