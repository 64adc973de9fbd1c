import { defineConfig } from 'tsup'

export default defineConfig({
  // bin.ts is the `logsieve-server` executable (dist/bin.js, run with plain node); generation-worker.ts
  // is the thread policies are computed on (found beside the bundle as dist/generation-worker.js).
  entry: ['src/index.ts', 'src/bin.ts', 'src/generation-worker.ts'],
  format: ['esm', 'cjs'],
  // stripInternal: members marked @internal (SqliteStore.db) stay out of the published types.
  dts: { entry: 'src/index.ts', compilerOptions: { stripInternal: true } },
  clean: true,
  sourcemap: true,
  target: 'node20',
  // Bundle the workspace core so `node dist/bin.js` runs in the repo without building core first.
  noExternal: ['@logsieve/core'],
  // The dashboard reads its stylesheet and chart script beside the bundle, the generation worker is found
  // beside it: both need import.meta.url in CJS.
  shims: true,
  onSuccess: 'cp -r src/ui/assets dist/ui-assets',
})
