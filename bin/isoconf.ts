#!/usr/bin/env node
import yargs, { type Argv } from "yargs";
import { hideBin } from "yargs/helpers";
import { DialectError } from "../src/iso8583/dialect.js";
import { Iso8583Error } from "../src/iso8583/errors.js";
import { decodeCommand } from "./commands/decode.js";
import { dialectsCommand } from "./commands/dialects.js";
import { encodeCommand } from "./commands/encode.js";
import { checkCommand } from "./commands/check.js";
import { listCommand } from "./commands/list.js";
import { mergeCommand } from "./commands/merge.js";
import { replayCommand } from "./commands/replay.js";
import { runCommand } from "./commands/run.js";
import { simCommand } from "./commands/sim.js";
import { UsageError } from "../api/usageError.js";
import { ScenarioFileError } from "../reports/scenarioFile.js";
import { TraceFileError } from "../src/trace/traceFile.js";

/** Exit codes: 0 all passed (or the command did its job), 1 a property failed, 2 the kit could not run. */
const EXIT_CANNOT_RUN = 2;

interface Command<A> {
  command: string;
  describe: string;
  builder: (y: Argv) => Argv<any>;
  handler: (argv: A) => number | Promise<number>;
}

/** Errors a user can act on are one line on stderr; anything else is a bug, with its stack. */
function report(e: unknown): void {
  if (e instanceof UsageError || e instanceof DialectError || e instanceof Iso8583Error || e instanceof ScenarioFileError || e instanceof TraceFileError) {
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
        report(e);
      }
    },
  };
}

await yargs(hideBin(process.argv))
  .scriptName("isoconf")
  .usage("$0 <command> [options]\n\nProperty-based conformance testing for ISO 8583 hosts and terminals.")
  .command(wrap(runCommand as Command<any>))
  .command(wrap(replayCommand as Command<any>))
  .command(wrap(checkCommand as Command<any>))
  .command(wrap(mergeCommand as Command<any>))
  .command(wrap(listCommand as Command<any>))
  .command(wrap(decodeCommand as Command<any>))
  .command(wrap(encodeCommand as Command<any>))
  .command(wrap(dialectsCommand as Command<any>))
  .command(simCommand(wrap))
  .demandCommand(1, "name a command: run, replay, check, merge, list, decode, encode, dialects or sim")
  .recommendCommands()
  .strict()
  .help()
  .alias("h", "help")
  .version()
  .wrap(Math.min(110, process.stdout.columns || 110))
  .fail((msg, err) => {
    // A bad command line: nothing has run or been written yet, so exiting here loses nothing.
    process.stderr.write(`isoconf: ${err?.message ?? msg}\nRun 'isoconf --help' or 'isoconf <command> --help'.\n`);
    process.exit(EXIT_CANNOT_RUN);
  })
  .parseAsync();
