import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'cli',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Tests spawn real CLI processes (and one reads a 256 MB file): allow for a loaded machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
