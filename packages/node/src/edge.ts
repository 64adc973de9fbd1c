// @logsieve/node as bundlers building for the edge runtime see it (the `edge-light` export condition).
// The SDK needs Node.js (AsyncLocalStorage, zlib, the file system). Instead of a bundler error about
// `zlib` that names no package, each export throws LOGSIEVE_EDGE when used, naming Logsieve and the fix.
import type * as node from './index.js'

export { SDK_NAME, SDK_VERSION } from './version.js'

const MESSAGE =
  'LOGSIEVE_EDGE: @logsieve/node runs in the Node.js runtime, not the edge runtime. ' +
  "Add `export const runtime = 'nodejs'` to the route that imports it, or keep the module that " +
  'creates the sieve out of edge code (Next.js: import it in instrumentation.ts inside ' +
  "`if (process.env.NEXT_RUNTIME === 'nodejs')`, and onRequestError from '@logsieve/node/next')."

function unavailable(): never {
  throw new Error(MESSAGE)
}
// `never` fits every export's type: the names and types stay those of the Node.js entry.
const stub = unavailable as never

export const BackfillBuffer: typeof node.BackfillBuffer = stub
export const BackfillPool: typeof node.BackfillPool = stub
export const estimateArgsBytes: typeof node.estimateArgsBytes = stub
export const isReplaying: typeof node.isReplaying = stub
export const createScope: typeof node.createScope = stub
export const currentScope: typeof node.currentScope = stub
export const currentTraceIds: typeof node.currentTraceIds = stub
export const currentTraceparent: typeof node.currentTraceparent = stub
export const otelIds: typeof node.otelIds = stub
export const runInScope: typeof node.runInScope = stub
export const setScopeFields: typeof node.setScopeFields = stub
export const defaultCacheDir: typeof node.defaultCacheDir = stub
export const diskPolicyCache: typeof node.diskPolicyCache = stub
export const SieveConfigError: typeof node.SieveConfigError = stub
export const createSieve: typeof node.createSieve = stub
export const createStatsSender: typeof node.createStatsSender = stub
export const integrationOf: typeof node.integrationOf = stub
