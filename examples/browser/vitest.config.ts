import { defineProject } from 'vitest/config'

export default defineProject({
  test: { name: 'example-browser', include: ['test/**/*.test.ts'] },
})
