// GET /v1/policies/:service/diff: the same diff as core's diffPolicies, from version 0 (the default
// policy SDKs ran on) for a service with a single version (finding 11c).
import { defaultPolicy, diffPolicies, type Policy } from '@logsieve/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sig, startTestServer, type TestServer } from './helpers.js'

let t: TestServer
beforeAll(async () => {
  t = await startTestServer()
})
afterAll(async () => {
  await t?.close()
})

describe('policy diff route', () => {
  it('diffs the first version against version 0, the default policy', async () => {
    const put = await t.call('/v1/policies/solo?environment=prod', {
      method: 'PUT',
      body: {
        defaults: { levels: { debug: 0.25 } },
        rules: [{ signature: sig(1), rate: 0.5, reason: 'pin' }],
      },
    })
    expect(put.status).toBe(201)
    const v1 = (await put.json()).policy as Policy
    for (const path of [
      '/v1/policies/solo/diff?environment=prod',
      '/v1/policies/solo/diff?environment=prod&from=0&to=1',
    ]) {
      const res = await t.call(path)
      expect(res.status).toBe(200)
      const diff = await res.json()
      expect(diff).toEqual(JSON.parse(JSON.stringify(diffPolicies(defaultPolicy('solo', 'prod'), v1))))
      expect(diff).toMatchObject({ from: 0, to: 1, settings: [{ path: 'defaults.levels.debug', to: 0.25 }] })
      expect(diff.added).toEqual([{ signature: sig(1), to: v1.rules[0] }])
    }
  })

  it('answers 404 naming the field for a version that does not exist', async () => {
    const res = await t.call('/v1/policies/solo/diff?environment=prod&from=7&to=1')
    expect(res.status).toBe(404)
    expect((await res.json()).error.field).toBe('from')
  })
})
