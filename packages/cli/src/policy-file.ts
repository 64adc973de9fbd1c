// Policy as code: read a JSON or YAML policy file and validate it with the wire contract's parsePolicy,
// so a bad file is refused before it reaches a server, with the offending field named.
import { readFile } from 'node:fs/promises'
import { type Policy, parsePolicy } from '@logsieve/core'
import { parse as parseYaml } from 'yaml'
import { CliError, EXIT } from './errors.js'

/**
 * Read a policy file. `service`/`environment` fill in what the file leaves out (a file may hold only
 * defaults and rules); `version` is assigned by the server, so a missing one is read as 0.
 */
export async function loadPolicyFile(
  file: string,
  fallback: { service?: string; environment?: string },
): Promise<Policy> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    throw new CliError(EXIT.input, `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`)
  }
  let doc: unknown
  try {
    doc = /\.json$/i.test(file) ? JSON.parse(text) : parseYaml(text)
  } catch (error) {
    throw new CliError(
      EXIT.input,
      `${file} is not valid ${/\.json$/i.test(file) ? 'JSON' : 'YAML'}: ${(error as Error).message}`,
    )
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new CliError(EXIT.rejected, `${file}: a policy must be an object`, {
      code: 'LOGSIEVE_POLICY_INVALID',
    })
  }
  const input = { ...(doc as Record<string, unknown>) }
  input.service ??= fallback.service
  input.environment ??= fallback.environment
  input.version ??= 0
  if (fallback.service && input.service !== fallback.service) {
    throw new CliError(
      EXIT.usage,
      `${file} is for service "${input.service}", not --service ${fallback.service}`,
    )
  }
  const parsed = parsePolicy(input)
  if (!parsed.ok) {
    throw new CliError(EXIT.rejected, `${file}: ${parsed.error.message}`, {
      code: parsed.error.code,
      ...(parsed.error.field !== undefined && { field: parsed.error.field }),
    })
  }
  return parsed.value
}
