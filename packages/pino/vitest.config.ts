import { defineProject } from 'vitest/config'

export default defineProject({
  test: { name: 'pino', include: ['src/**/*.test.ts', 'test/**/*.test.ts'] },
})
