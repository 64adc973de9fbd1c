// @logsieve/core: the contract and the algorithms, no I/O.
export * from './schema.js'
export * from './severity.js'
export type * from './types.js'
