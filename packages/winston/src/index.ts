// @logsieve/winston: per-pattern sampling for winston, before format.splat() and serialization.
export { attachSieve } from './attach.js'
export { sieveFormat } from './format.js'
export type { SieveFormat, SieveFormatOptions } from './types.js'
