import { defineProject } from 'vitest/config'

export default defineProject({
  // Each check talks to a real `next start` over HTTP; on a loaded 2-core machine a few take seconds.
  test: { name: 'example-nextjs', include: ['test/**/*.test.ts'], testTimeout: 60_000 },
})
