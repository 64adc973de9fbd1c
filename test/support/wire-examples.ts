// A valid example of each wire type with every optional field present (so field-mutations.ts changes
// each one), beside the definition it follows.
import {
  defaultPolicy,
  type Field,
  keyRequestDefinition,
  patternForbidDefinition,
  patternSplitDefinition,
  pinDefinition,
  policyDefinition,
  settingsDefinition,
  statsBatchDefinition,
} from '@logsieve/core'

const sig = '0123456789abcdef'
const at = '2026-01-05T10:00:00.000Z'

export const WIRE_EXAMPLES: Array<[string, Field<unknown>, unknown]> = [
  [
    'policy',
    policyDefinition,
    {
      ...defaultPolicy('checkout', 'prod'),
      version: 3,
      source: 'generated',
      createdAt: at,
      author: 'ci',
      reason: 'budget',
      defaults: { ...defaultPolicy('checkout').defaults, levels: { debug: 0.5 } },
      rules: [
        {
          signature: sig,
          level: 'info',
          rate: 0.25,
          maxPerSecond: 5,
          reason: 'pin',
          template: 'user <*>',
          expiresAt: at,
        },
      ],
      patterns: [{ id: sig, members: ['fedcba9876543210'], template: 'login <*>', reason: 'merged' }],
      projection: {
        bytesPerDayBefore: 10,
        bytesPerDayAfter: 5,
        eventsPerSecondBefore: 1,
        eventsPerSecondAfter: 0.5,
        costPerDayBefore: 2,
        costPerDayAfter: 1,
        budgetBytesPerDay: 5,
        overBudget: false,
      },
    },
  ],
  [
    'stats batch',
    statsBatchDefinition,
    {
      sdk: { name: '@logsieve/node', version: '0.1.0' },
      service: 'checkout',
      environment: 'prod',
      instance: 'host-1/42',
      policyVersion: 3,
      window: { start: at, end: at },
      patterns: [
        {
          signature: sig,
          level: 'info',
          template: 'user <*>',
          seen: 10,
          kept: 2,
          bytes: 800,
          keptBytes: 160,
          plainBytes: 700,
          firstSeen: at,
          example: 'user 42',
        },
      ],
      overflow: { seen: 1, kept: 0, bytes: 80, plainBytes: 70 },
    },
  ],
  [
    'settings',
    settingsDefinition,
    {
      budget: { bytesPerDay: 1e9 },
      floorPerMinute: 1,
      alwaysKeep: ['warn'],
      levelWeights: { debug: 0.5 },
      costPerGB: 0.5,
      baselineSeconds: 120,
      boostSeconds: 900,
      boostMaxPerSecond: 20,
      refreshSeconds: 30,
    },
  ],
  ['pin', pinDefinition, { signature: sig, level: 'warn', rate: 0.5, reason: 'incident', expiresAt: at }],
  ['key request', keyRequestDefinition, { scope: 'ingest', name: 'web', services: ['checkout'] }],
  ['pattern split', patternSplitDefinition, { pattern: sig }],
  ['pattern forbid', patternForbidDefinition, { signatures: [sig, 'fedcba9876543210'] }],
]
