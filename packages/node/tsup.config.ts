import { defineConfig } from 'tsup'

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    edge: 'src/edge.ts',
    otlp: 'src/otlp/index.ts',
    next: 'src/next/index.ts',
    'next-edge': 'src/next/edge.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  // eventsource-parser 4 ships ESM only and asks for Node ≥ 22.12: inlined (2 KB), the CommonJS build
  // loads on every Node 20 and an install on Node 20 warns of no engine.
  noExternal: ['eventsource-parser'],
})
