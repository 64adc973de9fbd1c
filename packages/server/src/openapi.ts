// Placeholder OpenAPI document; filled in with the full route list below.
export function openApiDocument(): Record<string, unknown> {
  return { openapi: '3.1.0', info: { title: 'Logsieve policy server', version: '0.1.0' }, paths: {} }
}
