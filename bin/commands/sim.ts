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
export function simCommand(wrap: (c: SubCommand) => CommandModule<any, any>): CommandModule<any, any> {
  return {
    command: "sim",
    describe: "Run a reference simulator (host or terminal) as a process",
    builder: (y: Argv) =>
      y
        .command(wrap(simHostCommand))
        .command(wrap(simTerminalCommand))
        .demandCommand(1, "name a simulator: host or terminal"),
    handler: () => {},
  };
}
