// @logsieve/cli as a library: the same pieces the `logsieve` bin runs, for scripts and tests.
export {
  type AnalysisReport,
  type AnalyzeOptions,
  analyzeStream,
  createRateLookup,
  type PatternSummary,
} from './analyze.js'
export { type Client, type ClientOptions, createClient } from './client.js'
export { CliError, EXIT, type ExitCode } from './errors.js'
export { type LineFormat, type ParsedLine, parseLine } from './line-parse.js'
export { type ReadLinesOptions, type ReadLinesResult, readLines } from './line-reader.js'
export type { Io } from './output.js'
export { diffPolicies, type PolicyDiff, renderDiff } from './policy-diff.js'
export { loadPolicyFile } from './policy-file.js'
export { HELP, run, VERSION } from './run.js'
export { formatBytes, parseBudget, parseBytes, parseBytesPerDay, parseDuration } from './units.js'
