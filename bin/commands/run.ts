import type { Argv } from "yargs";
import { DEFAULT_DIALECT, DEFAULT_MAX_STEPS, DEFAULT_RUNS, DEFAULT_TIMEOUT_MS, runConformance } from "../../api/runConformance.js";
import { DEFAULT_CONFIG_FILE, defaultConfigPath, readRunConfig, RUN_OPTION_KEYS, type RunOptions } from "../../api/runOptions.js";
import { UsageError } from "../../api/usageError.js";
import { renderConsoleSummary } from "../../reports/consoleSummary.js";
import { useColour } from "../../reports/ansi.js";
import { createConsoleProgress } from "../../reports/consoleProgress.js";
import { MERCHANT_ID, REGISTERED_TERMINALS, UNREGISTERED_TERMINAL } from "../../src/sim/defaults.js";
import { typedValue } from "../input.js";
import { terminalFlags } from "../terminalFlags.js";

/** Signals that stop a run the way Ctrl-C does: with the report of what ran, exit 2. */
const STOP_SIGNALS = ["SIGINT", "SIGTERM"] as const;

/** The parsed command line: the run's options (flags and configuration file alike) and the console's. */
type RunArgs = RunOptions & { quiet: boolean; verbose: boolean };

export const runCommand = {
  builder: (y: Argv) =>
    terminalFlags(
      y
        .positional("role", { choices: ["host", "terminal"] as const, describe: "what is under test" })
        .option("target", { type: "string", requiresArg: true, describe: "the kit connects to the SUT at tcp://HOST:PORT" })
        .option("listen", { type: "string", requiresArg: true, describe: "the kit listens at tcp://HOST:PORT and the SUT connects" })
        .option("dialect", { alias: "d", type: "string", default: DEFAULT_DIALECT, describe: "built-in dialect or dialect JSON file" })
        .option("runs", { alias: "n", type: "number", default: DEFAULT_RUNS, describe: "scenarios to generate" })
        .option("seed", { type: "number", describe: "fast-check seed: the same seed replays the whole run" })
        .option("shard", { type: "string", requiresArg: true, describe: "run part i of n of the scenarios (CI machines in parallel; needs --seed; join with 'isoconf merge')" })
        .option("out", { alias: "o", type: "string", requiresArg: true, describe: "output folder (default isoconf-report/<timestamp>)" })
        .option("bug", { type: "string", requiresArg: true, describe: "seed a named bug into the built-in reference SUT (see 'isoconf sim host --bug list', 'isoconf sim terminal --bug list')" })
        .option("timeout-ms", { type: "number", describe: `response timeout: the kit's (host role), the terminal's own (terminal role); default ${DEFAULT_TIMEOUT_MS}` })
        .option("only", { type: "array", string: true, describe: "property IDs or prefixes to run (H-REV)" })
        .option("skip", { type: "array", string: true, describe: "property IDs or prefixes to skip" })
        .option("max-steps", { type: "number", default: DEFAULT_MAX_STEPS, describe: "most steps per scenario" })
        .option("concurrency", { alias: "j", type: "number", describe: "host role: scenarios at once, each in a lane of its own terminals (see the README); default 1" })
        .option("cards", { type: "string", requiresArg: true, describe: "a card file (isoconf-cards/1): the cards the host knows, which the scenarios use instead of random test cards" })
        .option("framing", { type: "string", requiresArg: true, describe: "transport framing (default: the dialect's)" })
        .option("reset-cmd", { type: "string", requiresArg: true, describe: "shell command that resets an external SUT before each scenario" })
        .option("deadline-ms", { type: "number", describe: "whole-run deadline: no new scenario starts after it (shrinking has its own budget)" })
        .option("require-exercised", { type: "number", describe: "times a property's rule must apply over the run for a pass; below, it is 'untested' (default 1)" })
        .option("suite", { type: "string", requiresArg: true, describe: "a JavaScript module exporting a suite of your own properties" })
        .option("mask", { type: "boolean", default: true, describe: "mask card data in every output (--no-mask to show it)" })
        .option("quiet", { alias: "q", type: "boolean", default: false, describe: "print only the summary" })
        .option("verbose", { alias: "v", type: "boolean", default: false, describe: "also print each scenario as it starts" })
        .option("tid", { type: "string", requiresArg: true, describe: `terminal role: the terminal's ID (field 41); default ${REGISTERED_TERMINALS[0]}` })
        .option("terminals", { type: "array", string: true, describe: `host role: the terminal IDs the host has registered, which the kit plays (default ${REGISTERED_TERMINALS.join(" ")})` })
        .option("unregistered", { type: "string", requiresArg: true, describe: `host role: a terminal ID the host does not know (default ${UNREGISTERED_TERMINAL})` })
        .option("merchant", { type: "string", requiresArg: true, describe: `the merchant ID (field 42) of the kit's terminals, or of the terminal under test (default ${MERCHANT_ID})` })
        .option("tmk", { type: "string", requiresArg: true, describe: "the terminal master key in hex, that sign-on working keys travel under (default the simulators'); outputs show only its check value" })
        .option("reversal-attempts", { type: "number", describe: "terminal role: the terminal's configured reversal attempts (default: the dialect's)" })
        .option("waivers", { hidden: true, describe: "from the configuration file only" })
        .config("config", `a JSON file with the same keys as the flags, plus "waivers": [{"id", "reason"}] (default ./${DEFAULT_CONFIG_FILE} when present)`, (path: string) => readRunConfig(path))
        .default("config", defaultConfigPath(), defaultConfigPath() ?? "none"),
    )
      .example("isoconf run host", "the reference host, in-process, 100 scenarios")
      .example("isoconf run host --bug double-post-duplicate --seed 1", "watch isoconf find a seeded bug")
      .example("isoconf run host --target tcp://127.0.0.1:5000 --dialect iso87ascii --runs 200", "a host of your own")
      .example("isoconf run terminal --bug no-reversal", "the reference terminal, in-process, with a seeded bug")
      .example("isoconf run host --target tcp://10.0.0.5:5000 --seed 7 --shard 2/4 --out shard-2", "one of four CI machines; then 'isoconf merge shard-*'")
      .example("isoconf run terminal --listen tcp://0.0.0.0:8583 --control ecr --ecr /dev/ttyUSB0", "a terminal of your own, steered over its ECR line"),
  handler: async (a: RunArgs): Promise<number> => {
    if (a.quiet && a.verbose) throw new UsageError("give --quiet or --verbose, not both");
    // yargs hands over aliases and its own keys too; the run takes the options it knows.
    // A number flag given text (NaN from yargs) goes on as the text typed, for the error to show.
    const given = (k: (typeof RUN_OPTION_KEYS)[number]) => (Number.isNaN(a[k]) ? (typedValue(process.argv, k) ?? a[k]) : a[k]);
    const options = Object.fromEntries(RUN_OPTION_KEYS.filter((k) => a[k] !== undefined).map((k) => [k, given(k)])) as Omit<RunOptions, "role">;
    // The first Ctrl-C, or SIGTERM (CI cancelling a job, `docker stop`, `timeout`), lets the
    // scenario under way finish (a device may take a while) and writes the report of what ran;
    // a second signal quits at once, without it.
    let stopRequested = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopRequested) process.exit(signal === "SIGINT" ? 130 : 143);
      stopRequested = true;
      const again = signal === "SIGINT" ? "Ctrl-C again" : `${signal} again`;
      process.stderr.write(`\n${signal === "SIGINT" ? "" : `${signal}: `}stopping after the current scenario, then writing the report (${again} to quit without it)\n`);
    };
    for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
    // Progress goes to standard error, the summary to standard output; the manual adapter's
    // prompts go to standard error too, so with it no progress comes in between.
    const progress = createConsoleProgress({
      write: (text) => process.stderr.write(text),
      tty: process.stderr.isTTY === true,
      columns: () => process.stderr.columns,
      colour: useColour(process.stderr),
      mode: a.quiet || a.control === "manual" ? "quiet" : a.verbose ? "verbose" : "normal",
    });
    // A device can take seconds per scenario: the clock and the estimate move anyway.
    const ticker = setInterval(() => progress.tick(), 1000).unref();
    try {
      const run = await runConformance({ ...options, role: a.role }, { onProgress: progress.progress, onEvent: progress.event, onNotice: (text) => a.quiet || process.stderr.write(`${text}\n`), interrupted: () => stopRequested });
      clearInterval(ticker);
      progress.done();
      // The console shows the result as the files hold it: masked unless --no-mask.
      process.stdout.write(renderConsoleSummary(run.written, run.out, run.waivers, { colour: useColour(process.stdout), masked: a.mask !== false, stale: run.stale }) + "\n");
      const stopped = run.result.stopped;
      if (stopped?.reason === "kit-error" || stopped?.reason === "sut-down") process.stderr.write(`isoconf: the run stopped early: ${stopped.message}\n`);
      return run.exitCode;
    } finally {
      clearInterval(ticker);
      progress.done();
      for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
    }
  },
};
