import { defineProject } from 'vitest/config'

export default defineProject({
  test: { name: 'example-winston-worker', include: ['test/**/*.test.ts'] },
})
