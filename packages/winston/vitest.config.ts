import { defineProject } from 'vitest/config'

export default defineProject({
  test: { name: 'winston', include: ['src/**/*.test.ts', 'test/**/*.test.ts'] },
})
