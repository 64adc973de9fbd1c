import { defineConfig } from 'tsup'

export default defineConfig({
  // bin.ts is the `logsieve-server` executable (dist/bin.js, run with plain node).
  entry: ['src/index.ts', 'src/bin.ts'],
  format: ['esm', 'cjs'],
  dts: { entry: 'src/index.ts' },
  clean: true,
  sourcemap: true,
  target: 'node20',
  // Bundle the workspace core so `node dist/bin.js` runs in the repo without building core first.
  noExternal: ['@logsieve/core'],
  // The dashboard reads its stylesheet and chart script beside the bundle (and needs import.meta.url in CJS).
  shims: true,
  onSuccess: 'cp -r src/ui/assets dist/ui-assets',
})
