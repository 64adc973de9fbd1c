// @logsieve/node/next: the Next.js integration for the Node.js runtime. Bundlers building for the edge
// runtime resolve this entry to edge.ts instead (the `edge-light` export condition).
export { type ErrorLogger, nextSieve } from './process-sieve.js'
export { onRequestError, type RequestErrorContext, type RequestErrorRequest } from './request-error.js'
export type { RouteHandler } from './route.js'
