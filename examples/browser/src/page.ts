// The page's code: one sieve for the page, a console-style logger, and a backend call that carries the
// page's trace id in `traceparent`. `serve.ts` bundles this file for the browser.
import { createBrowserSieve, encodeJson } from '@logsieve/browser'
import { traceFetch } from '@logsieve/browser/trace'

declare global {
  interface Window {
    /** Filled in by the HTML that serve.ts writes. */
    LOGSIEVE: { server: string; apiKey: string }
  }
}

const sieve = createBrowserSieve({
  service: 'shop-web',
  environment: 'dev',
  server: { url: window.LOGSIEVE.server, apiKey: window.LOGSIEVE.apiKey },
  // Same origin as the page: the example server prints what arrives.
  endpoint: { url: '/ingest/logs', format: encodeJson },
  propagateTrace: traceFetch([location.origin]),
  flushIntervalMs: 2000,
  onDiagnostic: (error) => console.warn('logsieve:', error.message),
})

const out = document.querySelector('#out') as HTMLElement
const show = (text: string) => {
  out.textContent = `${text}\n${out.textContent ?? ''}`
}

document.querySelector('#noise')?.addEventListener('click', () => {
  let kept = 0
  for (let i = 0; i < 100; i++) if (sieve.logger.info(`image ${i} lazy-loaded in ${i % 40}ms`)) kept++
  show(`100 noisy lines, ${kept} kept (policy v${sieve.policy.version})`)
})

document.querySelector('#fail')?.addEventListener('click', () => {
  sieve.logger.error(new Error('payment declined'), { provider: 'acme' })
  show('error logged: always kept')
})

document.querySelector('#call')?.addEventListener('click', async () => {
  const res = await fetch('/api/hello')
  show(`backend saw traceparent ${await res.text()} (page trace ${sieve.traceId})`)
})
