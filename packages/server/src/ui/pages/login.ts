// The login page: one field, the API key (admin or viewer). The key is posted once and never kept.
import { html } from 'hono/html'
import { type Html, page } from '../layout.js'

export function loginPage(csrf: string, error?: string): Html {
  return page(
    { title: 'Log in', ...(error ? { flash: { kind: 'error' as const, text: error } } : {}) },
    html`<section class="login" aria-labelledby="login-title">
<h1 id="login-title">Log in to Logsieve</h1>
<p>Use an admin key, or a viewer key to look without changing anything (<code>POST /v1/keys {"scope": "viewer"}</code>).</p>
<form method="post" action="/ui/login">
<input type="hidden" name="_csrf" value="${csrf}">
<label for="key">API key</label>
<input id="key" name="key" type="password" autocomplete="current-password" required autofocus${error ? html` aria-invalid="true"` : ''}>
<button type="submit">Log in</button>
</form></section>`,
  )
}
