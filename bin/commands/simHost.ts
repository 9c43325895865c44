import type { Argv } from "yargs";
import { resolveDialect } from "../../src/iso8583/builtinDialects.js";
import { framingNames } from "../../src/link/framingByName.js";
import { LinkError } from "../../src/link/linkError.js";
import { HOST_BUGS, hostBug, type HostBugName } from "../../src/sim/host/bugs.js";
import type { DuplicatePolicy, TerminalConfig } from "../../src/sim/host/hostOptions.js";
import { startHostServer } from "../../src/sim/host/startHostServer.js";
import { startHostDialer } from "../../src/sim/host/startHostDialer.js";
import { terminalRegistry } from "../../src/sim/host/terminalRegistry.js";
import { fitsDialect } from "../../api/kitIdentity.js";
import { UsageError } from "../../api/usageError.js";
import { MERCHANT_ID } from "../../src/sim/defaults.js";
import { readTextSource } from "../input.js";
import { printBugList, stopSignal } from "../simulatorProcess.js";
import { cardsFrom } from "../../api/cards.js";
import { runFraming } from "../../api/runFraming.js";

export interface SimHostArgs {
  listen: string;
  dial?: string;
  dialect: string;
  framing?: string;
  terminals?: string;
  cards?: string;
  bug?: string;
  duplicates: DuplicatePolicy;
  seed: number;
  "delay-ms": number;
  "slow-ms": number;
  verbose: boolean;
}

function bugNamed(name: string | undefined): HostBugName | undefined {
  try {
    return name === undefined ? undefined : hostBug(name).name;
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

async function registryFrom(path: string | undefined): Promise<TerminalConfig[] | undefined> {
  if (path === undefined) return undefined;
  const text = await readTextSource(path);
  try {
    return terminalRegistry(JSON.parse(text), path);
  } catch (e) {
    throw new UsageError(e instanceof SyntaxError ? `${path} is not JSON: ${e.message}` : (e as Error).message);
  }
}

export const simHostCommand = {
  command: "host",
  describe: "Run the reference host: a correct ISO 8583 acquirer host, or one with a seeded bug",
  builder: (y: Argv) =>
    y
      .option("listen", { type: "string", default: "tcp://127.0.0.1:8583", describe: "where terminals connect: tcp://HOST:PORT (port 0 picks a free one)" })
      .option("dial", { type: "string", requiresArg: true, describe: "dial out instead: one link to tcp://HOST:PORT (where 'isoconf run host --listen' waits) carries every terminal, dialed again when it drops" })
      .option("dialect", { alias: "d", type: "string", default: "cup", describe: "built-in dialect or dialect JSON file" })
      .option("framing", { choices: framingNames, describe: "transport framing (default: the dialect's)" })
      .option("terminals", { type: "string", requiresArg: true, describe: 'terminal registry: JSON array of {"tid", "mid", "tmk"}; default TERM0001-TERM0128' })
      .option("cards", { type: "string", requiresArg: true, describe: "a card table (a card file, isoconf-cards/1): cards not in it are declined (05), operations a card does not allow refused (12)" })
      .option("bug", { type: "string", requiresArg: true, describe: "run with a seeded bug; 'list' prints them" })
      .option("duplicates", { choices: ["decline", "replay"] as const, default: "decline" as const, describe: "answer a repeated request with 94, or replay the first answer" })
      .option("seed", { type: "number", default: 1, describe: "seeds the working keys, RRNs and authorisation codes" })
      .option("delay-ms", { type: "number", default: 0, describe: "hold every answer this long (network latency)" })
      .option("slow-ms", { type: "number", default: 35_000, describe: "how long the slow-response bug holds an answer" })
      .option("verbose", { alias: "v", type: "boolean", default: false, describe: "log one line per request on stderr (card numbers masked)" })
      .example("isoconf sim host --listen tcp://127.0.0.1:8583 --dialect cup", "a correct host")
      .example("isoconf sim host --listen tcp://127.0.0.1:0 -d iso87ascii --bug reversal-ignored", "a host that acknowledges reversals but never applies them")
      .example("isoconf sim host --bug list", "the seeded bugs and the properties they break"),
  handler: async (a: SimHostArgs): Promise<number> => {
    if (a.bug === "list") {
      printBugList(HOST_BUGS);
      return 0;
    }
    const bug = bugNamed(a.bug);
    const dialect = resolveDialect(a.dialect);
    const terminals = await registryFrom(a.terminals);
    for (const t of terminals ?? []) {
      fitsDialect(dialect, "41", t.tid, `a tid in ${a.terminals}`);
      fitsDialect(dialect, "42", t.mid ?? MERCHANT_ID, `a mid in ${a.terminals}`);
    }
    // A framing that cannot carry the dialect's frames is refused here as `run` refuses it.
    runFraming(a.framing, dialect);
    const common = {
      dialect,
      framing: a.framing,
      terminals,
      cards: cardsFrom(a.cards)?.cards,
      bug,
      duplicates: a.duplicates,
      seed: a.seed,
      responseDelayMs: a["delay-ms"],
      slowResponseMs: a["slow-ms"],
      log: a.verbose ? (line: string) => process.stderr.write(`${line}\n`) : undefined,
    };
    let server;
    try {
      server = a.dial !== undefined ? startHostDialer({ ...common, dial: a.dial }) : await startHostServer({ ...common, listen: a.listen });
    } catch (e) {
      if (e instanceof LinkError) throw new UsageError(e.message);
      throw e;
    }
    // Tests and scripts wait for this line: the port is real, even when 0 was asked for.
    const where = "url" in server ? `listening ${server.url}` : `dialing ${a.dial}`;
    process.stdout.write(`${where}${bug === undefined ? "" : ` (bug ${bug})`}\n`);
    await stopSignal();
    await server.close();
    return 0;
  },
};
