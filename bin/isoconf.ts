#!/usr/bin/env node
import yargs, { type Argv } from "yargs";
import { hideBin } from "yargs/helpers";
import type { LinkErrorCode } from "../src/link/linkError.js";

/** Exit codes: 0 all passed (or the command did its job), 1 a property failed, 2 the kit could not run. */
const EXIT_CANNOT_RUN = 2;

interface Command<A> {
  command: string;
  describe: string;
  builder: (y: Argv) => Argv<any>;
  handler: (argv: A) => number | Promise<number>;
}

/** A command module's part: how it reads its flags and what it does. */
type CommandBody = Pick<Command<any>, "builder" | "handler">;

/**
 * The commands as `isoconf --help` lists them. A command's module is loaded only when that
 * command runs: start-up stays quick, and `isoconf decode` does not load the runner.
 */
const COMMANDS: { command: string; describe: string; load: () => Promise<CommandBody> }[] = [
  { command: "run <role>", describe: "Run a conformance suite against a SUT (default: the built-in reference simulator)", load: async () => (await import("./commands/run.js")).runCommand },
  { command: "replay <file>", describe: "Replay a saved scenario exactly; exit 1 when its property still fails", load: async () => (await import("./commands/replay.js")).replayCommand },
  { command: "check <trace>", describe: "Re-check a saved trace (ID.trace.jsonl) against the properties, offline; exit 1 when one fails", load: async () => (await import("./commands/check.js")).checkCommand },
  { command: "merge <folders..>", describe: "Join the output folders of the shards of one run (run --shard i/n) into one report; exit 1 when a property failed", load: async () => (await import("./commands/merge.js")).mergeCommand },
  { command: "list [role]", describe: "List the suites and their properties (ID, title, requirement, reference) without running anything", load: async () => (await import("./commands/list.js")).listCommand },
  { command: "decode", describe: "Decode an ISO 8583 frame field by field", load: async () => (await import("./commands/decode.js")).decodeCommand },
  { command: "encode", describe: "Encode a message given as JSON into a hex frame", load: async () => (await import("./commands/encode.js")).encodeCommand },
  { command: "dialects [name] [file]", describe: "List the built-in dialects, print one as JSON (a starting point for your own), or import a jPOS GenericPackager", load: async () => (await import("./commands/dialects.js")).dialectsCommand },
  { command: "sim", describe: "Run a reference simulator (host or terminal) as a process", load: async () => (await import("./commands/sim.js")).simCommand(wrap) },
];

/**
 * The link errors that come from the user's setup (a bad endpoint or framing, a SUT not there, a
 * port in use). The others (a closed link, a send timeout, a bad frame the kit made, an
 * unacknowledged control frame) are handled where they happen; one that gets this far is a bug.
 */
const USER_LINK_ERRORS: ReadonlySet<LinkErrorCode> = new Set(["invalid_config", "connect_failed", "listen_failed"]);

/**
 * Errors a user can act on are one line on stderr; anything else is a bug, with its stack. The
 * error classes are loaded only when something failed: their modules bring zod and the dialect
 * schemas, which `--version`, `--help` and most commands would otherwise load for nothing.
 */
async function report(e: unknown): Promise<void> {
  const [{ DialectError }, { Iso8583Error }, { LinkError }, { UsageError }, { ScenarioFileError }, { TraceFileError }, { PropertyError }] = await Promise.all([
    import("../src/iso8583/dialect.js"),
    import("../src/iso8583/errors.js"),
    import("../src/link/linkError.js"),
    import("../api/usageError.js"),
    import("../reports/scenarioFile.js"),
    import("../src/trace/traceFile.js"),
    import("../src/runner/property.js"),
  ]);
  if (
    e instanceof UsageError ||
    e instanceof DialectError ||
    e instanceof Iso8583Error ||
    e instanceof ScenarioFileError ||
    e instanceof TraceFileError ||
    e instanceof PropertyError ||
    (e instanceof LinkError && USER_LINK_ERRORS.has(e.code))
  ) {
    process.stderr.write(`isoconf: ${e.message}\n`);
  } else {
    process.stderr.write(`isoconf: internal error: ${e instanceof Error ? e.stack : String(e)}\n`);
  }
  process.exitCode = EXIT_CANNOT_RUN;
}

function wrap<A>(c: Command<A>) {
  return {
    ...c,
    handler: async (argv: A) => {
      try {
        process.exitCode = await c.handler(argv);
      } catch (e) {
        await report(e);
      }
    },
  };
}

// `isoconf list | head -3`: the reader has what it wanted. A closed pipe ends the output, not in a crash.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code !== "EPIPE") throw e;
    process.exit(process.exitCode ?? 0);
  });
}

const args = hideBin(process.argv);
let cli = yargs(args).scriptName("isoconf").usage("$0 <command> [options]\n\nProperty-based conformance testing for ISO 8583 hosts and terminals.");
for (const c of COMMANDS) {
  const name = c.command.split(" ")[0];
  // The command asked for is loaded and registered whole; the others only by name, for the help.
  cli = name === args[0] ? cli.command(wrap({ command: c.command, describe: c.describe, ...(await c.load()) })) : cli.command(c.command, c.describe);
}
/**
 * Before it runs a command's handler, yargs renders that command's whole help (cacheHelpMessage),
 * for a showHelp() the handler might call later: for `run`, about 100 ms of start-up. No handler
 * here shows help and the fail handler below prints none, so the rendering is skipped (an
 * internal yargs method: Angular's CLI skips it the same way). `--help` still renders it.
 */
const usage = (cli as unknown as { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } } }).getInternalMethods?.().getUsageInstance?.();
if (typeof usage?.cacheHelpMessage === "function") usage.cacheHelpMessage = () => {};
/** A bad command line: nothing has run or been written yet, so exiting here loses nothing. */
function badCommandLine(text: string): never {
  process.stderr.write(`isoconf: ${text}\nRun 'isoconf --help' or 'isoconf <command> --help'.\n`);
  process.exit(EXIT_CANNOT_RUN);
}

/**
 * An option given twice arrives as an array, which every handler would take for a string: one
 * named once where it takes one value is told so, instead of failing somewhere inside.
 */
function onceEach(argv: Record<string, unknown>, y: Argv): void {
  // yargs has getOptions (the parsed option declarations); its types leave it out.
  const options = (y as unknown as { getOptions(): { array: string[]; boolean: string[]; alias: Record<string, string[]> } }).getOptions();
  const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  // Every name an option answers to (its aliases, camelCase or not) → the option.
  const optionOf = new Map<string, string>();
  for (const [key, aliases] of Object.entries(options.alias)) for (const name of [key, ...aliases]) optionOf.set(kebab(name), kebab(key));
  const uses = new Map<string, number>();
  for (const a of args) {
    if (a === "--") break;
    const name = /^--([^=]+)/.exec(a)?.[1] ?? /^-([A-Za-z])/.exec(a)?.[1];
    if (name === undefined) continue;
    const option = optionOf.get(kebab(name)) ?? kebab(name);
    uses.set(option, (uses.get(option) ?? 0) + 1);
  }
  // A list from a configuration file is not a repeat: only the command line's count.
  const lists = new Set([...options.array, ...options.boolean].map(kebab));
  for (const [option, count] of uses) {
    const value = argv[option];
    if (count < 2 || lists.has(option) || !Array.isArray(value)) continue;
    badCommandLine(`--${option} was given ${value.length} times (${value.map(String).join(", ")}): give it once`);
  }
}

await cli
  .middleware(onceEach as never, true)
  .demandCommand(1, "name a command: run, replay, check, merge, list, decode, encode, dialects or sim")
  .recommendCommands()
  .strict()
  .help()
  .alias("h", "help")
  .version()
  .wrap(Math.min(110, process.stdout.columns || 110))
  .fail((msg, err) => badCommandLine(err?.message ?? msg))
  .parseAsync();
