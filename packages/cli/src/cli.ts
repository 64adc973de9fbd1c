// The `logsieve` bin: wires run() to the process. Kept apart from run.ts so tests and embedders can call
// run() without touching process state. No top-level await: tsup also builds this file as CommonJS.
import { run } from './run.js'

run(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  isTTY: process.stderr.isTTY === true,
  env: process.env,
  stdin: process.stdin,
}).then((code) => {
  // exitCode (not exit()) lets stdout drain when it is a pipe.
  process.exitCode = code
})
