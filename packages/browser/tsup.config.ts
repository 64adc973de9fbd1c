import { defineConfig } from 'tsup'

export default defineConfig([
  // For bundlers: ESM + CJS + types, @logsieve/core left as a dependency.
  {
    entry: ['src/index.ts', 'src/trace.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'es2020',
    platform: 'browser',
  },
  // For a <script type="module"> without a bundler: everything in one minified file.
  {
    entry: { 'logsieve-browser.min': 'src/index.ts', 'logsieve-browser-trace.min': 'src/trace.ts' },
    format: ['esm'],
    minify: true,
    sourcemap: true,
    target: 'es2020',
    platform: 'browser',
    noExternal: [/.*/],
  },
])
