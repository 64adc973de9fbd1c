// @logsieve/core: the contract and the algorithms, no I/O. The zod schemas, the generator and the stats
// check (server, CLI) are here; SDKs import '@logsieve/core/sdk', the rest without them.
export {
  type AnomalyOptions,
  alphaForHalfLife,
  type EmaState,
  emaUpdate,
  isAnomaly,
  type ZScoreOptions,
  zScore,
} from './anomaly.js'
export * from './generator.js'
export * from './schema.js'
export * from './sdk.js'
export { checkStatsBatch } from './stats-check.js'
