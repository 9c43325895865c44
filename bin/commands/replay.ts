import type { Argv } from "yargs";
import { readScenarioFile, type ScenarioFile } from "../../reports/scenarioFile.js";
import { hostSuite } from "../../suites/host/index.js";
import { terminalSuite } from "../../suites/terminal/index.js";
import type { Dialect } from "../../src/iso8583/dialect.js";
import { rulesOf } from "../../src/protocol/index.js";
import { checkAll, runScenario } from "../../src/runner/runScenario.js";
import { selectProperties } from "../../src/runner/runSuite.js";
import { describeStep } from "../../src/scenario/scenario.js";
import { writeTraceJsonl } from "../../src/trace/traceFile.js";
import { DEFAULT_TMK, MERCHANT_ID } from "../../src/sim/defaults.js";
import { kcvOf, registryOf, type KitIdentity } from "../../api/kitIdentity.js";
import { checkRunOptions, RUN_OPTION_KEYS } from "../../api/runOptions.js";
import { UsageError } from "../../api/usageError.js";
import { hostTargetFrom } from "../../api/hostTarget.js";
import { loadSuite } from "../../api/loadSuite.js";
import { cardsFrom, checkScenarioCards } from "../../api/cards.js";
import type { FileCard } from "../../src/scenario/cardFile.js";
import { CONTROL_FLAGS, terminalTargetFrom, type TerminalTargetArgs } from "../../api/terminalTarget.js";
import { terminalFlags } from "../terminalFlags.js";
import { scenarioDialect } from "../scenarioDialect.js";

interface ReplayArgs extends TerminalTargetArgs {
  file: string;
  target?: string;
  listen?: string;
  bug?: string;
  dialect?: string;
  framing?: string;
  "reset-cmd"?: string;
  "timeout-ms"?: number;
  trace?: string;
  mask: boolean;
  suite?: string;
  "reversal-attempts"?: number;
  tmk?: string;
  cards?: string;
}

/**
 * The kit's terminals as recorded, with the master key given (default the simulators'): the
 * file holds only the key's check value, which must match.
 */
function identityFor(a: ReplayArgs, f: ScenarioFile): Pick<KitIdentity, "terminals" | "merchant" | "tmk"> {
  const tmk = Buffer.from(a.tmk ?? DEFAULT_TMK, "hex");
  const tmkKcv = kcvOf(tmk);
  if (f.tmkKcv !== undefined && f.tmkKcv !== tmkKcv) {
    throw new UsageError(`${a.file} was recorded with a master key of check value ${f.tmkKcv}; ${a.tmk === undefined ? "give that key with --tmk" : `--tmk has check value ${tmkKcv}`}`);
  }
  return { terminals: f.registeredTerminals, merchant: f.merchant ?? MERCHANT_ID, tmk };
}

/**
 * The SUT to replay against: the recorded one, or the one the flags name instead. A terminal of
 * your own needs its control flags again (the file records where it was, not how it was steered).
 */
async function targetFor(a: ReplayArgs, f: ScenarioFile, dialect: Dialect, responseTimeoutMs: number, kit: Pick<KitIdentity, "terminals" | "merchant" | "tmk">, cards?: readonly FileCard[]) {
  const overridden = a.target !== undefined || a.listen !== undefined || a.serial !== undefined;
  const recorded = (kind: ScenarioFile["target"]["kind"]) => (overridden || f.target.kind !== kind ? undefined : f.target.url);
  const where = { target: overridden ? a.target : recorded("tcp"), listen: overridden ? a.listen : recorded("listen"), bug: overridden ? a.bug : (a.bug ?? f.target.bug) };
  const framing = a.framing ?? (overridden ? undefined : f.target.framing);
  if (f.scenario.role === "host") return hostTargetFrom({ ...where, framing, "reset-cmd": a["reset-cmd"] }, dialect, registryOf(kit), undefined, cards);
  const tid = f.registeredTerminals[0];
  if (tid === undefined) throw new UsageError(`${a.file}: registeredTerminals names no terminal`);
  const reversalAttempts = a["reversal-attempts"] ?? f.reversalAttempts ?? rulesOf(dialect).reversal.attempts;
  // The recorded control flags, unless the replay names its own or another terminal.
  const own = overridden || CONTROL_FLAGS.some((k) => a[k] !== undefined);
  const control = own ? {} : (f.target.control ?? {});
  return terminalTargetFrom({ ...a, ...control, ...where, framing, serial: overridden ? a.serial : recorded("serial") }, dialect, { tid, responseTimeoutMs, reversalAttempts, merchant: kit.merchant, tmk: kit.tmk });
}

export const replayCommand = {
  builder: (y: Argv) =>
    terminalFlags(
      y
        .positional("file", { type: "string", describe: "an ID.scenario.json from a report" })
        .option("target", { type: "string", requiresArg: true, describe: "connect to tcp://HOST:PORT instead of the recorded SUT" })
        .option("listen", { type: "string", requiresArg: true, describe: "listen at tcp://HOST:PORT instead" })
        .option("bug", { type: "string", requiresArg: true, describe: "seed this bug into the reference SUT instead of the recorded one" })
        .option("dialect", { alias: "d", type: "string", requiresArg: true, describe: "override the recorded dialect" })
        .option("framing", { type: "string", requiresArg: true })
        .option("reset-cmd", { type: "string", requiresArg: true })
        .option("timeout-ms", { type: "number", describe: "override the recorded response timeout" })
        .option("trace", { type: "string", requiresArg: true, describe: "write the replay's trace (JSONL) here" })
        .option("mask", { type: "boolean", default: true })
        .option("suite", { type: "string", requiresArg: true, describe: "the suite module the property comes from, for a property of your own" })
        .option("reversal-attempts", { type: "number", describe: "terminal scenarios: the terminal's configured reversal attempts (default: as recorded, else the dialect's)" })
        .option("tmk", { type: "string", requiresArg: true, describe: "the terminal master key the run used, when not the default (the file holds only its check value)" })
        .option("cards", { type: "string", requiresArg: true, describe: "the run's card file, when not where the scenario file says (its SHA-256 must match)" }),
    ).example("isoconf replay isoconf-report/2026-11-26T01-30-00-000Z/H-DUP-1.scenario.json", "against the SUT it was found on; exit 1 while it still fails")
      .example("isoconf replay H-DUP-1.scenario.json --target tcp://127.0.0.1:5000 --trace after-fix.jsonl", "against the fixed build, keeping the trace"),
  handler: async (a: ReplayArgs): Promise<number> => {
    // The flags replay shares with run are checked as run checks them.
    checkRunOptions(Object.fromEntries(RUN_OPTION_KEYS.filter((k) => a[k as keyof ReplayArgs] !== undefined).map((k) => [k, a[k as keyof ReplayArgs]])), { flags: true });
    const f = readScenarioFile(a.file);
    const dialect = scenarioDialect(a.file, f, a.dialect);
    const role = f.scenario.role;
    const responseTimeoutMs = a["timeout-ms"] ?? f.responseTimeoutMs;
    const kit = identityFor(a, f);
    // Everything that can fail without the SUT is done before it is opened: nothing to release on the way out.
    const builtin = role === "host" ? hostSuite : terminalSuite;
    const suite = a.suite === undefined ? builtin : await loadSuite(a.suite, role);
    // A scenario saved by hand names no property: the suite's, those that apply to the dialect.
    const properties = f.property ? suite.properties.filter((p) => p.id === f.property) : selectProperties({ suite, dialect }).active;
    if (properties.length === 0) {
      throw new UsageError(`${a.file}: property ${f.property} is not in the ${suite.name} suite${a.suite === undefined ? ` (for a suite of your own, add --suite FILE)` : ""}`);
    }
    const cards = cardsFrom(a.cards, f.cards, a.file);
    checkScenarioCards(f.scenario, cards?.cards, a.file);
    const { target, close } = await targetFor(a, f, dialect, responseTimeoutMs, kit, cards?.cards);
    const ctx = {
      dialect,
      target,
      responseTimeoutMs,
      registeredTerminals: f.registeredTerminals,
      reversalAttempts: a["reversal-attempts"] ?? f.reversalAttempts,
      tmk: kit.tmk,
      merchant: kit.merchant,
      cards: cards?.cards,
    };
    try {
      const trace = await runScenario(f.scenario, ctx);
      if (a.trace) await writeTraceJsonl(a.trace, trace, { dialect, mask: a.mask });
      const judged = new Map<string, number>();
      const failing = checkAll(properties, f.scenario, trace, ctx, judged);
      const lines = [`replayed ${f.scenario.steps.length} step(s) against ${target.description}:`];
      f.scenario.steps.forEach((s, i) => lines.push(`  ${i + 1}. ${describeStep(f.scenario, s)}`));
      for (const [id, violations] of failing) {
        lines.push(`FAIL ${id}`);
        for (const v of violations) lines.push(`  - ${v.message}`, `    expected: ${v.expected}`, `    actual:   ${v.actual}`);
      }
      if (failing.size > 0) {
        lines.push("the failure reproduces");
        process.stdout.write(lines.join("\n") + "\n");
        return 1;
      }
      // A rule the replay never exercised has not passed (a SUT that did not answer, say): untested;
      // exit 2 where it is the property the scenario was saved for.
      const untested = properties.filter((p) => (judged.get(p.id) ?? 0) === 0);
      const down = trace.some((e) => e.kind === "note" && (e.detail?.connectFailed === true || e.detail?.sutDown === true)) ? " (the SUT did not answer: see the trace)" : "";
      for (const p of untested) lines.push(`UNTD ${p.id}: no ${p.judges} in the replay${down}; it has not passed`);
      const passed = properties.filter((p) => !untested.includes(p));
      if (passed.length > 0) lines.push(`${passed.map((p) => p.id).join(", ")}: passes now`);
      process.stdout.write(lines.join("\n") + "\n");
      return f.property !== undefined && untested.length > 0 ? 2 : 0;
    } finally {
      await close?.();
    }
  },
};
