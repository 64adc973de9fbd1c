// The wire contract between SDKs, the policy server and the CLI: one definition per wire type, each a
// checker that carries its JSON Schema (check.ts). The server validates with these, /openapi.json is
// built from their `json`, and SDKs and the CLI call the same functions.

export * from './admin-contract.js'
export { accepts, type Field, type JsonSchema } from './check.js'
export * from './contract.js'
export * from './policy-contract.js'
export * from './settings-contract.js'
export * from './stats-contract.js'
