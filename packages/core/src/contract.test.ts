// Each wire type has one definition, a check that carries its JSON Schema (check.ts). /openapi.json shows
// the schema and the server validates with the check, so the two must say the same thing: for every
// field of every definition, at and past its limits, a JSON Schema validator (ajv, the draft OpenAPI 3.1
// uses) gives the same verdict as the check.
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import { describe, expect, it } from 'vitest'
import { fieldMutations, isJson, pathText } from '../../../test/support/field-mutations.js'
import { WIRE_EXAMPLES } from '../../../test/support/wire-examples.js'
import { parsePatternForbid, patternForbidDefinition } from './admin-contract.js'
import { accepts, num, opt, runCheck, str, within } from './check.js'
import { defaultPolicy } from './contract.js'
import { compiledFields, loopedFields } from './object-fields.js'
import { parsePolicy, policyDefinition } from './policy-contract.js'
import { parseStatsBatch } from './stats-contract.js'

const ajv = new Ajv2020({ strict: false, allErrors: false })
addFormats.default(ajv)

const sig = '0123456789abcdef'
const at = '2026-01-05T10:00:00.000Z'

describe('wire definitions and the JSON Schema /openapi.json shows', () => {
  for (const [name, definition, example] of WIRE_EXAMPLES) {
    it(`${name}: the same verdict on every field at and past its limits`, () => {
      expect(accepts(definition, example)).toBe(true)
      const validate = ajv.compile(definition.json)
      // Only what JSON can carry: JSON Schema speaks of nothing else.
      const mutations = fieldMutations(definition.json, example).filter((m) => isJson(m.input))
      expect(mutations.length).toBeGreaterThan(10)
      let rejected = 0
      for (const m of mutations) {
        const check = accepts(definition, m.input)
        if (!check) rejected++
        expect(check, `${pathText(m.path)} = ${m.label}`).toBe(validate(m.input))
      }
      expect(rejected).toBeGreaterThan(0)
    }, 60_000) // arrays past their limit (20,001 rules): seconds on a loaded machine
  }

  it('a rule over a whole value is in the schema too: as keywords, or in its description', () => {
    const forbid = parsePatternForbid({ signatures: [sig, sig] })
    expect(forbid.ok || forbid.error.message).toMatch(/signatures must be two different signatures$/)
    expect(patternForbidDefinition.json).toMatchObject({ properties: { signatures: { uniqueItems: true } } })
    expect(policyDefinition.json).toMatchObject({
      properties: { patterns: { description: 'at most 20000 members over all patterns' } },
    })
  })
})

describe('object fields', () => {
  it('check the same, naming the same field, where code cannot be compiled (strict CSP, edge runtimes)', () => {
    const keys = ['count', 'name', 'quoted "key"']
    const checks = [num({ min: 0, int: true }), opt(str({ max: 3 })), opt(num({ max: 1 }))]
    const compiled = compiledFields(keys)
    expect(compiled).toBeDefined()
    const inputs = [
      { count: 1, name: 'ab', 'quoted "key"': 1, other: 2 },
      { count: 1 },
      { count: -1, name: 'ab' },
      { count: 1, name: 'abcd' },
      { count: 1, 'quoted "key"': 2 },
      {},
    ]
    for (const input of inputs) {
      const run = (fields: typeof compiled) =>
        runCheck((v) => fields?.(checks, v as never, within), input, 'X')
      expect(run(compiled)).toEqual(run(loopedFields(keys)))
    }
    expect(runCheck((v) => compiled?.(checks, v as never, within), { count: 1, name: 7 }, 'X')).toMatchObject(
      {
        error: { field: 'name' },
      },
    )
  })
})

describe('parsePolicy and parseStatsBatch', () => {
  it('fill defaults, drop unknown keys and name the field at fault', () => {
    const p = parsePolicy({ service: 'checkout', version: 3, extra: 1 })
    expect(p).toEqual({
      ok: true,
      value: defaultPolicy('checkout') && { ...defaultPolicy('checkout'), version: 3, source: 'manual' },
    })
    const bad = parsePolicy({ service: 's', version: 1, rules: [{ signature: sig, rate: 2 }] })
    expect(bad.ok || [bad.error.code, bad.error.field, bad.error.message]).toEqual([
      'LOGSIEVE_POLICY_INVALID',
      'rules[0].rate',
      'LOGSIEVE_POLICY_INVALID: rules[0].rate must be <= 1',
    ])
    const batch = parseStatsBatch({
      sdk: { name: 'x', version: '1' },
      service: 's',
      window: { start: at, end: at },
      patterns: [{ signature: sig, level: 'info', template: 't', seen: -1, kept: 0, bytes: 1 }],
    })
    expect(batch.ok || [batch.error.code, batch.error.field]).toEqual([
      'LOGSIEVE_STATS_INVALID',
      'patterns[0].seen',
    ])
  })

  it('never sample error or fatal lines, and never throw on garbage', () => {
    const levels = parsePolicy({ service: 's', version: 1, defaults: { levels: { fatal: 0.5 } } })
    expect(levels.ok || levels.error.field).toBe('defaults.levels.fatal')
    for (const input of [null, undefined, 42, 'x', [], { service: '' }, { service: 's', version: -1 }]) {
      expect(parsePolicy(input).ok).toBe(false)
      expect(parseStatsBatch(input).ok).toBe(false)
    }
  })

  it('round-trip the default policy', () => {
    expect(parsePolicy(defaultPolicy('api', 'prod'))).toEqual({
      ok: true,
      value: defaultPolicy('api', 'prod'),
    })
  })
})
