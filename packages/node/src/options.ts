// createSieve's options checked up front: a programmer's mistake (no service, a URL that cannot be
// parsed, an unknown `follow`, a negative interval) throws one clear error at startup, instead of a
// sieve that quietly asks for `/v1/policies/undefined` forever.
import { MAX_NAME_LENGTH, NAME_PATTERN } from '@logsieve/core/sdk'
import type { SieveOptions } from './types.js'

/** Thrown by `createSieve` for invalid options; `problems` lists each one (`service: must be …`). */
export class SieveConfigError extends Error {
  readonly code = 'LOGSIEVE_CONFIG'
  constructor(readonly problems: string[]) {
    super(`LOGSIEVE_CONFIG: invalid createSieve options: ${problems.join('; ')}`)
    this.name = 'SieveConfigError'
  }
}

const FOLLOW = ['poll', 'sse']
const POSITIVE = ['statsIntervalMs', 'timeoutMs', 'shutdownTimeoutMs', 'maxPatterns'] as const
const CALLBACKS = ['onStatsSent', 'onPolicy', 'fetch', 'random'] as const

/** Throws a SieveConfigError naming every invalid option; returns normally otherwise. */
export function checkOptions(options: unknown): asserts options is SieveOptions {
  if (options === null || typeof options !== 'object')
    throw new SieveConfigError([
      `options: expected an object like { service: 'checkout' }, got ${show(options)}`,
    ])
  const o = options as Record<string, unknown>
  const problems: string[] = []
  const name = (key: string, value: unknown): void => {
    if (
      typeof value !== 'string' ||
      value.length === 0 ||
      value.length > MAX_NAME_LENGTH ||
      !NAME_PATTERN.test(value)
    )
      problems.push(
        `${key}: must be 1-${MAX_NAME_LENGTH} characters of [A-Za-z0-9._:/@-], got ${show(value)}`,
      )
  }
  name('service', o.service)
  if (o.environment !== undefined) name('environment', o.environment)
  if (o.server !== undefined) checkServer(o.server, problems)
  if (o.follow !== undefined && !FOLLOW.includes(o.follow as string))
    problems.push(`follow: must be 'poll' or 'sse', got ${show(o.follow)}`)
  for (const key of POSITIVE) {
    const v = o[key]
    if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v > 0))
      problems.push(`${key}: must be a positive number, got ${show(v)}`)
  }
  if (
    o.cacheDir !== undefined &&
    o.cacheDir !== false &&
    (typeof o.cacheDir !== 'string' || o.cacheDir === '')
  )
    problems.push(`cacheDir: must be a folder path or false, got ${show(o.cacheDir)}`)
  if (o.backfill !== undefined && o.backfill !== false) {
    const b = o.backfill as Record<string, unknown> | null
    if (b === null || typeof b !== 'object')
      problems.push(`backfill: must be false or an object, got ${show(b)}`)
    else
      for (const key of ['maxLinesPerScope', 'maxBytes']) {
        const v = b[key]
        if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v > 0))
          problems.push(`backfill.${key}: must be a positive number, got ${show(v)}`)
      }
  }
  if (o.onDiagnostic !== undefined && o.onDiagnostic !== false && typeof o.onDiagnostic !== 'function')
    problems.push(`onDiagnostic: must be a function or false, got ${show(o.onDiagnostic)}`)
  for (const key of CALLBACKS)
    if (o[key] !== undefined && typeof o[key] !== 'function')
      problems.push(`${key}: must be a function, got ${show(o[key])}`)
  const otlp = o.otlp as Record<string, unknown> | null | undefined
  if (otlp !== undefined && (otlp === null || typeof otlp.emit !== 'function'))
    problems.push(
      "otlp: must be an exporter: import { createOtlpExporter } from '@logsieve/node/otlp' and pass createOtlpExporter({ url, service })",
    )
  if (problems.length > 0) throw new SieveConfigError(problems)
}

function checkServer(server: unknown, problems: string[]): void {
  if (server === null || typeof server !== 'object') {
    problems.push(`server: must be { url, apiKey }, got ${show(server)}`)
    return
  }
  const { url, apiKey } = server as Record<string, unknown>
  let parsed: URL | undefined
  try {
    if (typeof url === 'string') parsed = new URL(url)
  } catch {
    // Reported below with the value.
  }
  if (parsed === undefined || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:'))
    problems.push(`server.url: must be an http(s) URL like 'http://127.0.0.1:7070', got ${show(url)}`)
  if (apiKey !== undefined && (typeof apiKey !== 'string' || apiKey === ''))
    problems.push(`server.apiKey: must be a non-empty string, got ${show(apiKey)}`)
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value)
  if (value === null || value === undefined || typeof value !== 'object') return String(value)
  return Array.isArray(value) ? 'an array' : 'an object'
}
