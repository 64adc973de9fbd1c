#!/usr/bin/env node
// In the workspace the TypeScript source runs through tsx (no build step); a published package ships
// only dist/, so the built file runs there.
import { existsSync } from 'node:fs'

const source = new URL('../src/bin.ts', import.meta.url)
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api')
  register()
  await import(source.href)
} else {
  await import(new URL('../dist/bin.js', import.meta.url).href)
}
