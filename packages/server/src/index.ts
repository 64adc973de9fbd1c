// @logsieve/server: the policy server — stats in, budgeted sampling policies out.
export { createApp } from './app.js'
export type { RateLimitOptions, ServerOptions } from './config.js'
export { DEFAULT_DB_PATH, DEFAULT_PORT, optionsFromEnv, resolveOptions } from './config.js'
export type { ServerContext } from './context.js'
export type { GenerateOptions, GenerateResult } from './generation/generator.js'
export { type CreatedServer, createServer, type RunningServer, startServer } from './server.js'
export { SqliteStore } from './store/sqlite.js'
export type * from './store/types.js'
