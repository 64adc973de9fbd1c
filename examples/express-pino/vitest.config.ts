import { defineProject } from 'vitest/config'

export default defineProject({
  test: { name: 'example-express-pino', include: ['test/**/*.test.ts'] },
})
