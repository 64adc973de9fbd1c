// @logsieve/pino: per-pattern sampling for pino, before serialization.
export { attachSieve, sievePino } from './attach.js'
export type { LogMethodHook, MixinFn, SievePinoOptions } from './types.js'
