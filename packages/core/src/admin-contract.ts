// The admin API's other request bodies (server routes and the CLI): API keys and pattern separations.
// Like every wire type, one definition each: the route validates with it, /openapi.json shows its `json`.
import {
  array,
  type Infer,
  nullable,
  object,
  oneOf,
  opt,
  or,
  type ParseResult,
  refine,
  runCheck,
  str,
} from './check.js'
import { MAX_NAME_LENGTH } from './contract.js'
import { nameField, signatureField } from './policy-contract.js'

/** POST /v1/keys: a key's scope, name and the services it is limited to (absent or null: all). */
export const keyRequestDefinition = object({
  scope: oneOf(['ingest', 'admin', 'viewer'] as const),
  name: or(str({ min: 1, max: MAX_NAME_LENGTH }), 'unnamed'),
  services: opt(nullable(array(nameField, { max: 1000 }))),
})

/** POST …/pattern-groups/split: the merged pattern whose members are kept apart from now on. */
export const patternSplitDefinition = object({ pattern: signatureField })

/** POST …/pattern-groups/forbid: two signatures never merged again. */
export const patternForbidDefinition = object({
  signatures: refine(
    array(signatureField, { min: 2, max: 2 }),
    ([a, b]) => a !== b,
    'must be two different signatures',
    { uniqueItems: true },
  ),
})

export type KeyRequest = Infer<typeof keyRequestDefinition>

export const parseKeyRequest = (input: unknown): ParseResult<KeyRequest> =>
  runCheck(keyRequestDefinition, input, 'LOGSIEVE_KEY_INVALID')

export const parsePatternSplit = (input: unknown): ParseResult<Infer<typeof patternSplitDefinition>> =>
  runCheck(patternSplitDefinition, input, 'LOGSIEVE_BODY_INVALID')

export const parsePatternForbid = (input: unknown): ParseResult<Infer<typeof patternForbidDefinition>> =>
  runCheck(patternForbidDefinition, input, 'LOGSIEVE_BODY_INVALID')
