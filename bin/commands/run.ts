import { join } from "node:path";
import type { Argv } from "yargs";
import { hostScenario } from "../../generators/hostScenario.js";
import { terminalScenario } from "../../generators/terminalScenario.js";
import { hostSuite } from "../../suites/host/index.js";
import { terminalSuite } from "../../suites/terminal/index.js";
import { renderConsoleSummary } from "../../reports/consoleSummary.js";
import { writeRunOutput } from "../../reports/runOutput.js";
import type { RecordedTarget } from "../../reports/scenarioFile.js";
import { resolveDialect } from "../../src/iso8583/builtinDialects.js";
import type { Dialect } from "../../src/iso8583/dialect.js";
import { framingByName } from "../../src/link/framingByName.js";
import { parseEndpoint } from "../../src/link/parseEndpoint.js";
import { referenceHostTarget } from "../../src/roles/referenceHostTarget.js";
import { listeningHostTarget, tcpHostTarget } from "../../src/roles/tcpTargets.js";
import { rulesOf } from "../../src/protocol/index.js";
import { runSuite, type Progress, type RunSuiteOptions } from "../../src/runner/runSuite.js";
import type { Target } from "../../src/runner/target.js";
import { DEFAULT_TMK, REGISTERED_TERMINALS, UNREGISTERED_TERMINAL } from "../../src/sim/defaults.js";
import { UsageError } from "../input.js";
import { loadSuite } from "../loadSuite.js";
import { DEFAULT_CONFIG_FILE, defaultConfigPath, readRunConfig, type RunConfig } from "../runConfig.js";
import { terminalFlags, terminalTargetFrom, type TerminalTargetArgs } from "../terminalTargetFrom.js";

export interface RunArgs extends TerminalTargetArgs {
  role: "host" | "terminal";
  target?: string;
  listen?: string;
  dialect: string;
  runs: number;
  seed?: number;
  out?: string;
  bug?: string;
  "timeout-ms"?: number;
  only?: string[];
  skip?: string[];
  "max-steps": number;
  framing?: string;
  "reset-cmd"?: string;
  mask: boolean;
  quiet: boolean;
  suite?: string;
  "deadline-ms"?: number;
  waivers?: RunConfig["waivers"];
  tid?: string;
  "reversal-attempts"?: number;
}

/** Response timeout: a real device gets the CUP default of 30 s; the virtual clock makes it free in-process. */
const DEFAULT_TIMEOUT_MS = 30_000;

/** Where the run's SUT is, from `--target`, `--listen` or neither (the in-process reference host). */
export async function hostTargetFrom(a: Pick<RunArgs, "target" | "listen" | "bug" | "framing" | "reset-cmd">, dialect: Dialect): Promise<{ target: Target; recorded: RecordedTarget; close?: () => Promise<void> }> {
  if (a.target !== undefined && a.listen !== undefined) throw new UsageError("give --target (the kit connects) or --listen (the host connects), not both");
  const framing = framingByName(a.framing ?? dialect.table.framing);
  if (a.target !== undefined || a.listen !== undefined) {
    if (a.bug !== undefined) throw new UsageError("--bug applies to the built-in reference host only (no --target or --listen)");
    const url = (a.target ?? a.listen)!;
    const ep = parseEndpoint(url);
    if (ep.kind !== "tcp") throw new UsageError(`a host is reached over TCP: expected tcp://HOST:PORT, got ${url}`);
    const options = { framing, resetCommand: a["reset-cmd"] };
    if (a.target !== undefined) return { target: tcpHostTarget(url, options), recorded: { kind: "tcp", url } };
    const t = await listeningHostTarget(ep.host, ep.port, options);
    return { target: t, recorded: { kind: "listen", url }, close: () => t.listener.close() };
  }
  return { target: referenceHostTarget(dialect, { bug: a.bug }), recorded: { kind: "reference", bug: a.bug } };
}

/**
 * One connection before the run: an address nobody answers on is a setup mistake (exit 2), not
 * ten properties failing. Once the run is under way, a refused connection is the SUT's failure.
 */
async function preflight(target: Target): Promise<void> {
  const sut = await target.open();
  try {
    await sut.connect();
  } catch (e) {
    throw new UsageError(`cannot reach the SUT at ${target.description}: ${(e as Error).message}`);
  } finally {
    await sut.close();
  }
}

function progressPrinter(quiet: boolean): (p: Progress) => void {
  if (quiet || !process.stderr.isTTY) return () => {};
  let last = 0;
  return (p) => {
    const now = performance.now();
    if (now - last < 200) return;
    last = now;
    const what = p.phase === "search" ? "searching" : p.phase === "shrink" ? `shrinking ${p.property}` : "re-running a failure";
    process.stderr.write(`\r${what}: ${p.scenarios}/${p.total} scenarios, ${p.failed} failing\x1b[K`);
  };
}

export const runCommand = {
  command: "run <role>",
  describe: "Run a conformance suite against a SUT (default: the built-in reference simulator)",
  builder: (y: Argv) =>
    terminalFlags(
      y
        .positional("role", { choices: ["host", "terminal"] as const, describe: "what is under test" })
        .option("target", { type: "string", requiresArg: true, describe: "the kit connects to the SUT at tcp://HOST:PORT" })
        .option("listen", { type: "string", requiresArg: true, describe: "the kit listens at tcp://HOST:PORT and the SUT connects" })
        .option("dialect", { alias: "d", type: "string", default: "cup", describe: "built-in dialect or dialect JSON file" })
        .option("runs", { alias: "n", type: "number", default: 100, describe: "scenarios to generate" })
        .option("seed", { type: "number", describe: "fast-check seed: the same seed replays the whole run" })
        .option("out", { alias: "o", type: "string", requiresArg: true, describe: "output folder (default isoconf-report/<timestamp>)" })
        .option("bug", { type: "string", requiresArg: true, describe: "seed a named bug into the built-in reference SUT (see 'isoconf sim host --bug list', 'isoconf sim terminal --bug list')" })
        .option("timeout-ms", { type: "number", describe: "response timeout: the kit's (host role), the terminal's own (terminal role); default 30000" })
        .option("only", { type: "array", string: true, describe: "property IDs or prefixes to run (H-REV)" })
        .option("skip", { type: "array", string: true, describe: "property IDs or prefixes to skip" })
        .option("max-steps", { type: "number", default: 10, describe: "most steps per scenario" })
        .option("framing", { type: "string", requiresArg: true, describe: "transport framing (default: the dialect's)" })
        .option("reset-cmd", { type: "string", requiresArg: true, describe: "shell command that resets an external SUT before each scenario" })
        .option("deadline-ms", { type: "number", describe: "whole-run deadline: no new scenario starts after it (shrinking has its own budget)" })
        .option("suite", { type: "string", requiresArg: true, describe: "a JavaScript module exporting a suite of your own properties" })
        .option("mask", { type: "boolean", default: true, describe: "mask card data in every output (--no-mask to show it)" })
        .option("quiet", { alias: "q", type: "boolean", default: false, describe: "print only the summary" })
        .option("tid", { type: "string", requiresArg: true, describe: `terminal role: the terminal's ID (field 41); default ${REGISTERED_TERMINALS[0]}` })
        .option("reversal-attempts", { type: "number", describe: "terminal role: the terminal's configured reversal attempts (default: the dialect's)" })
        .option("waivers", { hidden: true, describe: "from the configuration file only" })
        .config("config", `a JSON file with the same keys as the flags, plus "waivers": [{"id", "reason"}] (default ./${DEFAULT_CONFIG_FILE} when present)`, (path: string) => readRunConfig(path))
        .default("config", defaultConfigPath(), defaultConfigPath() ?? "none"),
    )
      .example("isoconf run host", "the reference host, in-process, 100 scenarios")
      .example("isoconf run host --bug double-post-duplicate --seed 1", "watch isoconf find a seeded bug")
      .example("isoconf run host --target tcp://127.0.0.1:5000 --dialect iso87ascii --runs 200", "a host of your own")
      .example("isoconf run terminal --bug no-reversal", "the reference terminal, in-process, with a seeded bug")
      .example("isoconf run terminal --listen tcp://0.0.0.0:8583 --control ecr --ecr /dev/ttyUSB0", "a terminal of your own, steered over its ECR line"),
  handler: async (a: RunArgs): Promise<number> => {
    if (!(Number.isInteger(a.runs) && a.runs > 0)) throw new UsageError(`--runs must be a whole number above 0, got ${a.runs}`);
    if (!(Number.isInteger(a["max-steps"]) && a["max-steps"] > 0)) throw new UsageError(`--max-steps must be a whole number above 0`);
    const dialect = resolveDialect(a.dialect);
    const timeout = a["timeout-ms"] ?? DEFAULT_TIMEOUT_MS;
    if (!(timeout > 0)) throw new UsageError(`--timeout-ms must be above 0, got ${timeout}`);
    if (a["deadline-ms"] !== undefined && !(a["deadline-ms"] > 0)) throw new UsageError(`--deadline-ms must be above 0, got ${a["deadline-ms"]}`);
    const startedAt = new Date();
    const out = a.out ?? join("isoconf-report", startedAt.toISOString().replace(/[:.]/g, "-"));
    const role = a.role;
    const suite = a.suite === undefined ? (role === "host" ? hostSuite : terminalSuite) : await loadSuite(a.suite, role);
    const attempts = a["reversal-attempts"] ?? rulesOf(dialect).reversal.attempts;
    if (!(Number.isInteger(attempts) && attempts >= 1)) throw new UsageError(`--reversal-attempts must be a whole number above 0, got ${attempts}`);
    const tid = a.tid ?? REGISTERED_TERMINALS[0];
    let sut: Pick<RunSuiteOptions, "target" | "scenarios" | "registeredTerminals">;
    let recorded: RecordedTarget;
    let close: (() => Promise<void>) | undefined;
    if (role === "host") {
      if (a.tid !== undefined || a["reversal-attempts"] !== undefined) throw new UsageError("--tid and --reversal-attempts describe a terminal under test (run terminal)");
      const host = await hostTargetFrom(a, dialect);
      ({ recorded, close } = host);
      if (host.target.realTime && a.listen === undefined) await preflight(host.target);
      const registered = [...REGISTERED_TERMINALS];
      sut = {
        target: host.target,
        scenarios: hostScenario({ terminals: registered, unregistered: [UNREGISTERED_TERMINAL], maxSteps: a["max-steps"], withMac: dialect.table.mac !== null }),
        registeredTerminals: registered,
      };
    } else {
      const terminal = await terminalTargetFrom(a, dialect, { tid, responseTimeoutMs: timeout, reversalAttempts: attempts });
      ({ recorded, close } = terminal);
      sut = {
        target: terminal.target,
        scenarios: terminalScenario({ maxSteps: a["max-steps"], withMac: dialect.table.mac !== null, reversalAttempts: attempts, restart: terminal.canRestart && a.control !== "passive" }),
        registeredTerminals: [tid],
      };
    }
    const registered = [...sut.registeredTerminals];
    let stopRequested = false;
    const onSigint = () => (stopRequested = true);
    process.once("SIGINT", onSigint);
    try {
      const result = await runSuite({
        suite,
        dialect,
        ...sut,
        runs: a.runs,
        seed: a.seed,
        responseTimeoutMs: timeout,
        reversalAttempts: role === "terminal" ? attempts : undefined,
        tmk: Buffer.from(DEFAULT_TMK, "hex"),
        only: a.only,
        skip: a.skip,
        deadlineMs: a["deadline-ms"],
        // The operator's prompts go to standard error too: no progress line in between.
        onProgress: progressPrinter(a.quiet || a.control === "manual"),
        interrupted: () => stopRequested,
      });
      if (!a.quiet && process.stderr.isTTY) process.stderr.write("\r\x1b[K");
      // The console shows the result as the files hold it: masked unless --no-mask.
      const waivers = new Map((a.waivers ?? []).map((w) => [w.id, w.reason]));
      const written = await writeRunOutput(out, result, dialect, { runs: a.runs, responseTimeoutMs: timeout, registeredTerminals: registered, target: recorded, mask: a.mask, startedAt, waivers });
      process.stdout.write(renderConsoleSummary(written, out, waivers) + "\n");
      if (!a.mask) process.stdout.write("masking is off: the report holds card data in clear\n");
      // A waived failure does not fail the run; a waived property that passes does, as an
      // unexpected pass: the waiver is stale and should go (tlsfuzzer's XPASS).
      const failed = result.properties.some((p) => p.verdict === "fail" && !waivers.has(p.id));
      const stale = result.properties.filter((p) => waivers.has(p.id) && p.verdict === "pass").map((p) => p.id);
      if (stale.length > 0) process.stdout.write(`waived but passing (remove the waiver): ${stale.join(", ")}\n`);
      return failed || stale.length > 0 ? 1 : result.interrupted ? 2 : 0;
    } finally {
      process.off("SIGINT", onSigint);
      await close?.();
    }
  },
};
