import type { Argv } from "yargs";
import { resolveDialect } from "../../src/iso8583/builtinDialects.js";
import { realClock } from "../../src/link/clock.js";
import { ControlChannel } from "../../src/link/controlChannel.js";
import { parseEndpoint } from "../../src/link/parseEndpoint.js";
import { serialOpen } from "../../src/link/serialOpen.js";
import { stxEtx } from "../../src/link/stxEtx.js";
import { MERCHANT_ID, REGISTERED_TERMINALS } from "../../src/sim/defaults.js";
import { TERMINAL_BUGS, terminalBug } from "../../src/sim/terminal/bugs.js";
import { EcrServer } from "../../src/ecr/ecrServer.js";
import { fileStateStore } from "../../src/sim/terminal/fileStateStore.js";
import { hostConnector } from "../../src/sim/terminal/hostConnector.js";
import { ReferenceTerminal } from "../../src/sim/terminal/referenceTerminal.js";
import { DEFAULT_RESPONSE_TIMEOUT_MS } from "../../src/sim/terminal/terminalOptions.js";
import { fitsDialect } from "../../api/kitIdentity.js";
import { UsageError } from "../../api/usageError.js";
import { printBugList, stopSignal } from "../simulatorProcess.js";

export interface SimTerminalArgs {
  ecr?: string;
  host?: string;
  dialect: string;
  state?: string;
  bug?: string;
  tid: string;
  mid?: string;
  "timeout-ms": number;
  "reversal-attempts"?: number;
}

/** The ECR line: a device path, or `serial:PATH?baud=…` for other line settings than 9600 8N1. */
function ecrLine(text: string) {
  const where = parseEndpoint(text.startsWith("serial:") ? text : `serial:${text}`);
  if (where.kind !== "serial") throw new UsageError(`--ecr is a serial line, got ${text}`);
  const { kind: _, ...line } = where;
  return line;
}

/**
 * The terminal (its state loaded) and its ECR line. Everything that can fail here is the
 * user's to fix (a bug name, an endpoint, a state file, a device), so it is a usage error.
 */
async function setUp(a: SimTerminalArgs, ecrPath: string, host: string) {
  try {
    const dialect = resolveDialect(a.dialect);
    // IDs the dialect's fields 41 and 42 cannot carry would fail at the first transaction: refused now.
    fitsDialect(dialect, "41", a.tid, "--tid");
    fitsDialect(dialect, "42", a.mid ?? MERCHANT_ID, "--mid");
    const terminal = await ReferenceTerminal.open({
      dialect,
      connect: hostConnector(host, dialect, realClock),
      tid: a.tid,
      mid: a.mid,
      responseTimeoutMs: a["timeout-ms"],
      reversalAttempts: a["reversal-attempts"],
      bug: a.bug === undefined ? undefined : terminalBug(a.bug).name,
      store: a.state === undefined ? undefined : fileStateStore(a.state),
    });
    return { terminal, ecr: await serialOpen({ ...ecrLine(ecrPath), framing: stxEtx() }) };
  } catch (e) {
    throw e instanceof UsageError ? e : new UsageError((e as Error).message);
  }
}

export const simTerminalCommand = {
  command: "terminal",
  describe: "Run the reference terminal: ECR commands (isoconf-ecr/1) on a serial line, transactions to a host",
  builder: (y: Argv) =>
    y
      .option("ecr", { type: "string", requiresArg: true, describe: "serial device the ECR talks on (or serial:PATH?baud=19200…)" })
      .option("host", { type: "string", requiresArg: true, describe: "the host: tcp://HOST:PORT or serial:PATH" })
      .option("dialect", { alias: "d", type: "string", default: "cup", describe: "built-in dialect or dialect JSON file" })
      .option("state", { type: "string", requiresArg: true, describe: "state file (STAN, batch, keys, reversal journal); default: memory only" })
      .option("bug", { type: "string", requiresArg: true, describe: "run with a seeded bug; 'list' prints them" })
      .option("tid", { type: "string", default: REGISTERED_TERMINALS[0], describe: "terminal ID (field 41)" })
      .option("mid", { type: "string", requiresArg: true, describe: "merchant ID (field 42); default the simulators' merchant" })
      .option("timeout-ms", { type: "number", default: DEFAULT_RESPONSE_TIMEOUT_MS, describe: "how long to wait for each host answer" })
      .option("reversal-attempts", { type: "number", requiresArg: true, describe: "reversals sent before a pending one is dropped; default the dialect's" })
      .example("isoconf sim terminal --ecr /dev/ttyUSB0 --host tcp://127.0.0.1:8583 --state pos.json", "a correct terminal")
      .example("isoconf sim terminal --bug list", "the seeded bugs and the properties they break"),
  handler: async (a: SimTerminalArgs): Promise<number> => {
    if (a.bug === "list") {
      printBugList(TERMINAL_BUGS);
      return 0;
    }
    if (a.ecr === undefined || a.host === undefined) throw new UsageError("give --ecr SERIALPATH and --host tcp://HOST:PORT");
    const { terminal, ecr } = await setUp(a, a.ecr, a.host);
    const log = (line: string) => process.stderr.write(`terminal ${a.tid}: ${line}\n`);
    const server = new EcrServer(new ControlChannel(ecr), terminal, log);
    process.stdout.write("ready\n");
    const signal = await Promise.race([stopSignal(), server.closed]);
    log(signal === undefined ? "the ECR line closed: stopping" : `${signal}: stopping`);
    // The terminal first: a command waiting on the host ends at once, its journal saved.
    await terminal.close();
    await server.close();
    // Losing the ECR line means the terminal cannot be driven any more: the kit could not run.
    return signal === undefined ? 2 : 0;
  },
};
