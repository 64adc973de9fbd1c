import { defineProject } from 'vitest/config'

export default defineProject({
  // --expose-gc lets the flood test measure retained heap after a collection.
  test: { name: 'node', include: ['src/**/*.test.ts', 'test/**/*.test.ts'], execArgv: ['--expose-gc'] },
})
