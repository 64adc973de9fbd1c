import { defineConfig } from 'tsup'

export default defineConfig({
  entry: { index: 'src/index.ts', otlp: 'src/otlp/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
})
