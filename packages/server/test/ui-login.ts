// Dashboard sessions for tests over plain HTTP: log in through the form, read pages with the cookie.
import type { TestServer } from './helpers.js'

/** Logs in through the form (login CSRF cookie first); returns the session cookie header. */
export async function login(t: TestServer, key: string, headers: Record<string, string> = {}) {
  const form = await fetch(`${t.url}/ui/login`, { headers })
  const csrfCookie = form.headers.getSetCookie().find((c) => c.startsWith('logsieve_login_csrf='))!
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!
  const res = await fetch(`${t.url}/ui/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      ...headers,
      cookie: csrfCookie.split(';')[0]!,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ key, _csrf: csrf }),
  })
  const session = res.headers.getSetCookie().find((c) => c.startsWith('logsieve_session='))
  return { res, setCookie: session, cookie: session?.split(';')[0] }
}

/** A dashboard page read with a session cookie (redirects not followed). */
export const page = async (t: TestServer, path: string, cookie: string) => {
  const res = await fetch(t.url + path, { headers: { cookie }, redirect: 'manual' })
  return { res, html: await res.text() }
}
