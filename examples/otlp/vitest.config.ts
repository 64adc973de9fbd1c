import { defineProject } from 'vitest/config'

export default defineProject({
  test: { name: 'example-otlp', include: ['test/**/*.test.ts'] },
})
