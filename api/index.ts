// `isoconf/api`: a whole conformance run as a function, with the options `isoconf run` takes.
export { runConformance, DEFAULT_TIMEOUT_MS, DEFAULT_RUNS, DEFAULT_MAX_STEPS, DEFAULT_DIALECT, type RunHooks, type RunOutcome } from "./runConformance.js";
export { checkRunOptions, readRunConfig, RUN_OPTION_KEYS, type RunConfig, type RunOptions } from "./runOptions.js";
export { UsageError } from "./usageError.js";
