import type { Argv, CommandModule } from "yargs";
import { simHostCommand } from "./simHost.js";
import { simTerminalCommand } from "./simTerminal.js";

/** A subcommand as bin/isoconf.ts defines commands: its handler returns the exit code. */
interface SubCommand {
  command: string;
  describe: string;
  builder: (y: Argv) => Argv<any>;
  handler: (argv: any) => number | Promise<number>;
}

/**
 * `isoconf sim host|terminal`: the reference simulators as processes. Takes bin/isoconf.ts's
 * `wrap`, so each subcommand's exit code and errors are handled like every other command's.
 */
export function simCommand(wrap: (c: SubCommand) => CommandModule<any, any>) {
  return {
    builder: (y: Argv) =>
      y
        .command(wrap(simHostCommand))
        .command(wrap(simTerminalCommand))
        .demandCommand(1, "name a simulator: host or terminal")
        .example("isoconf sim host --listen tcp://127.0.0.1:8583", "the reference host, for your terminal to talk to")
        .example("isoconf sim terminal --bug list", "the reference terminal's seeded bugs"),
    // Never called: a subcommand always runs (demandCommand), and yargs runs the innermost handler.
    handler: () => 0,
  };
}
