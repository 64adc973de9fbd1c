// Bundle for the server image (see /Dockerfile): the `logsieve-server` bin with the workspace packages
// (@logsieve/core) inlined, because in the repository they export TypeScript sources. npm dependencies stay
// external and come from `pnpm deploy --prod` (better-sqlite3 is native; pino starts worker threads).
// Run from packages/server so tsup reads that package.json for what is external.
import { defineConfig } from 'tsup'

export default defineConfig({
  // The generation worker is loaded from beside the bundle (dist/generation-worker.js).
  entry: { 'logsieve-server': 'src/bin.ts', 'generation-worker': 'src/generation-worker.ts' },
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  outDir: 'dist',
  clean: false,
  dts: false,
  sourcemap: true,
  noExternal: [/^@logsieve\//],
})
