// A test that needs something a machine may lack (a browser, a database) says plainly that it skipped and
// why; with LOGSIEVE_REQUIRE_ALL=1 (CI sets it) a missing requirement fails the run instead.

/** Set in CI: a missing requirement is an error, not a skip. */
export const REQUIRE_ALL = process.env.LOGSIEVE_REQUIRE_ALL === '1'

/**
 * Check a requirement once, when a test file is collected. Returns the reason the tests that need it
 * must skip (printed to stderr), or undefined when it is met. Throws when it is missing and
 * LOGSIEVE_REQUIRE_ALL=1.
 *
 * @example
 * const skip = requirement('chromium', existsSync(CHROMIUM), `not found at ${CHROMIUM}`, 'apt-get install chromium')
 * describe.skipIf(skip)(`in chromium${skip ? ` (skipped: ${skip})` : ''}`, () => { … })
 */
export function requirement(
  what: string,
  met: boolean,
  why: string,
  howToEnable: string,
): string | undefined {
  if (met) return undefined
  const reason = `${what} ${why}; to run these tests: ${howToEnable}`
  if (REQUIRE_ALL) throw new Error(`LOGSIEVE_REQUIRE_ALL=1 and ${reason}`)
  process.stderr.write(`SKIPPED: ${reason}\n`)
  return reason
}

/** A describe title that carries the skip reason, so the runner's own output says why. */
export const titled = (title: string, skip: string | undefined): string =>
  skip ? `${title} (SKIPPED: ${skip})` : title
