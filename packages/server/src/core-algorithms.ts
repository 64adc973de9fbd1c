// The generator and anomaly helpers from @logsieve/core, looked up at runtime while core's index does
// not export them yet; calls fail with a clear 503 instead of the whole server failing to load.

import type { GeneratedPolicy, GeneratorInput } from '@logsieve/core'
import * as core from '@logsieve/core'
import { ApiError } from './errors.js'

export interface EmaState {
  mean: number
  variance: number
  count: number
}

interface Algorithms {
  generatePolicy?: (input: GeneratorInput) => GeneratedPolicy
  emaUpdate?: (state: EmaState | undefined, x: number, alpha: number) => EmaState
  zScore?: (state: EmaState | undefined, x: number) => number
  isAnomaly?: (state: EmaState | undefined, x: number, options?: { threshold?: number }) => boolean
}

const algorithms = core as unknown as Algorithms

function need<K extends keyof Algorithms>(name: K): NonNullable<Algorithms[K]> {
  const fn = algorithms[name]
  if (!fn)
    throw new ApiError(503, 'LOGSIEVE_GENERATOR_UNAVAILABLE', `@logsieve/core does not export ${name} yet`)
  return fn as NonNullable<Algorithms[K]>
}

export const generatePolicy = (input: GeneratorInput): GeneratedPolicy => need('generatePolicy')(input)
export const emaUpdate: NonNullable<Algorithms['emaUpdate']> = (s, x, a) => need('emaUpdate')(s, x, a)
export const zScore: NonNullable<Algorithms['zScore']> = (s, x) => need('zScore')(s, x)
export const isAnomaly: NonNullable<Algorithms['isAnomaly']> = (s, x, o) => need('isAnomaly')(s, x, o)
