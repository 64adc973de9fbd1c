// Run by pack-install.test.ts inside a project that installed the packed tarballs: every entry point
// (argv: package specifiers) loaded with import and with require; prints where each resolved and what
// it exports, as JSON.
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

const require = createRequire(import.meta.url)
const loaded = {}
for (const spec of process.argv.slice(2)) {
  const esm = await import(spec)
  const cjs = require(spec)
  loaded[spec] = {
    esmFile: fileURLToPath(import.meta.resolve(spec)),
    cjsFile: require.resolve(spec),
    esm: Object.keys(esm)
      .filter((k) => k !== 'default')
      .sort(),
    cjs: Object.keys(cjs)
      .filter((k) => k !== 'default' && k !== '__esModule')
      .sort(),
  }
}
process.stdout.write(JSON.stringify(loaded))
