// A consumer's TypeScript, type-checked by pack-install.test.ts against the installed tarballs with
// skipLibCheck: false (every .d.ts it reaches is checked), under moduleResolution nodenext and node10.
// The project has no @types/express and no better-sqlite3 types: the published types must not need them.
import { createBrowserSieve, type PolicyStorage } from '@logsieve/browser'
import { computeSignature } from '@logsieve/core'
import { createSampler } from '@logsieve/core/sdk'
import { createSieve, type Sieve } from '@logsieve/node'
import { sievePino } from '@logsieve/pino'
import { createServer, type ServerOptions } from '@logsieve/server'
import { attachSieve } from '@logsieve/winston'
import pino from 'pino'
import winston from 'winston'

const sieve: Sieve = createSieve({ service: 'pack-consumer', cacheDir: false })
export const log = pino(sievePino(sieve, { level: 'info' }))
export const logger = winston.createLogger({ transports: [new winston.transports.Console()] })
attachSieve(logger, sieve, { signatureField: true })
export const signature: string = computeSignature('order %s shipped').signature
export const keep: boolean = createSampler().decide('info', 'order %s shipped', { isFormat: true }).keep
const storage: PolicyStorage = { getItem: () => null, setItem: () => {} }
export const page = createBrowserSieve({ service: 'web', storage })
const options: ServerOptions = { port: 0, dbPath: ':memory:' }
export const created: Promise<{ createdAdminKey: string | undefined }> = createServer(options)
