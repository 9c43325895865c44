import type { Argv } from "yargs";
import { CONTROLS, EXEC_FLAGS } from "../api/terminalTarget.js";
import type { ExecTemplates } from "../src/roles/execControl.js";

/** The placeholders that carry something for each operation, for the help text. */
const EXEC_HELP: Record<keyof ExecTemplates, string> = {
  purchase: "a sale: {amount} {pan} {expiry} {track2}",
  balance: "a balance inquiry: {pan} {expiry} {track2}",
  void: "a void: {stan} {amount}",
  refund: "a refund: {amount} {stan}, or {pan} {expiry} {track2}",
  settlement: "a settlement",
  signon: "a sign-on",
  restart: "a restart (enables restart steps)",
};

/** Adds the terminal flags to a command. */
export function terminalFlags(y: Argv): Argv {
  let out = y
    .option("serial", { type: "string", requiresArg: true, describe: "terminal role: a serial line carrying the terminal's ISO 8583 traffic (PATH or serial:PATH?baud=…)" })
    .option("control", { choices: CONTROLS, describe: "terminal role: how the kit steers the terminal (default ecr with --ecr)" })
    .option("ecr", { type: "string", requiresArg: true, describe: "terminal role: the terminal's ECR line for isoconf-ecr/1 (serial PATH or tcp://HOST:PORT)" })
    .option("restart-cmd", { type: "string", requiresArg: true, describe: "terminal role: shell command that restarts the terminal (enables restart steps)" })
    .option("idle-ms", { type: "number", describe: "terminal role, passive: how long the terminal may stay silent (default 600000)" });
  for (const [flag, op] of Object.entries(EXEC_FLAGS)) {
    out = out.option(flag, { type: "string", requiresArg: true, describe: `terminal role, exec: the command line for ${EXEC_HELP[op]}` });
  }
  return out;
}
