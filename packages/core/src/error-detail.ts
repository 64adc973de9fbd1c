// The policy server answers every error with `{ error: { code, message, field? } }`: SDKs put that code
// into their diagnostics, so a 401 says LOGSIEVE_UNAUTHORIZED and not just "answered 401".

/** ` (CODE: message)` from an error response's JSON body, or '' when it holds none. Reads the body; never throws. */
export async function errorDetail(res: Response): Promise<string> {
  try {
    const text = await res.text()
    if (text.length > 65_536) return ''
    const error = (JSON.parse(text) as { error?: { code?: unknown; message?: unknown } } | null)?.error
    if (typeof error?.code !== 'string') return ''
    return typeof error.message === 'string' ? ` (${error.code}: ${error.message})` : ` (${error.code})`
  } catch {
    return ''
  }
}
