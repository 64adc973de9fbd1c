// The `logsieve` bin: wires run() to the process. Kept apart from run.ts so tests and embedders can call
// run() without touching process state.
import { run } from './run.js'

const code = await run(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  isTTY: process.stderr.isTTY === true,
  env: process.env,
  stdin: process.stdin,
})
// exitCode (not exit()) lets stdout drain when it is a pipe.
process.exitCode = code
