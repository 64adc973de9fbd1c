// Debian's chromium driven by playwright-core (no browser download). Without it the browser tests say
// they skipped and why; CI (LOGSIEVE_REQUIRE_ALL=1) fails instead.
import { existsSync } from 'node:fs'
import { type Browser, chromium } from 'playwright-core'
import { requirement } from '../../../test/support/requirement.js'

export const CHROMIUM = process.env.LOGSIEVE_CHROMIUM ?? '/usr/bin/chromium'

/** Why browser tests skip on this machine, or undefined when chromium is there. */
export const chromiumSkip = requirement(
  'chromium',
  existsSync(CHROMIUM),
  `was not found at ${CHROMIUM}`,
  'apt-get install chromium (Debian), or LOGSIEVE_CHROMIUM=<path to a Chromium or Chrome binary>',
)

/** Headless chromium with background networking off (this machine's network is closed). */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `chromium not found at ${CHROMIUM}: the browser tests need Debian's chromium (apt-get install chromium; .ci/run installs it) or LOGSIEVE_CHROMIUM=<path>`,
    )
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}
