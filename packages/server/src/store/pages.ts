// Reading a service's patterns a page at a time, with a turn of the event loop between pages, so a
// service with a million patterns never holds the loop for one long read.
import type { PatternRecord, Store } from './types.js'

export const PAGE_SIZE = 2000

export async function eachPage(
  store: Store,
  service: string,
  environment: string,
  fn: (page: PatternRecord[]) => void | Promise<void>,
): Promise<void> {
  let after: PatternRecord | undefined
  for (;;) {
    const page = await store.listPatterns(service, environment, {
      after: after && { signature: after.signature, level: after.level },
      limit: PAGE_SIZE,
    })
    if (page.length > 0) await fn(page)
    if (page.length < PAGE_SIZE) return
    after = page[page.length - 1]
    await new Promise((r) => setImmediate(r))
  }
}
