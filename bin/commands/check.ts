import type { Argv } from "yargs";
import { readScenarioFile } from "../../reports/scenarioFile.js";
import { scenarioDigest } from "../../src/trace/scenarioDigest.js";
import { resolveDialect } from "../../src/iso8583/builtinDialects.js";
import type { CheckContext } from "../../src/runner/property.js";
import { checkAll } from "../../src/runner/runScenario.js";
import { selectProperties } from "../../src/runner/runSuite.js";
import { describeStep, type Scenario } from "../../src/scenario/scenario.js";
import { REGISTERED_TERMINALS } from "../../src/sim/defaults.js";
import { readTraceJsonl, type TraceFile } from "../../src/trace/traceFile.js";
import { UsageError } from "../../api/usageError.js";
import { loadSuite } from "../../api/loadSuite.js";
import { suiteFor } from "./list.js";
import { scenarioDialect } from "../scenarioDialect.js";

interface CheckArgs {
  trace: string;
  scenario?: string;
  role: "host" | "terminal";
  dialect?: string;
  suite?: string;
  only?: string[];
  skip?: string[];
  "timeout-ms": number;
}

/**
 * Re-checks a saved trace offline: properties are pure functions of the trace, so a trace from
 * an earlier run (or a newer suite) can be judged again without the SUT.
 */
export const checkCommand = {
  builder: (y: Argv) =>
    y
      .positional("trace", { type: "string", describe: "a trace file written by a run or a replay" })
      .option("scenario", { type: "string", requiresArg: true, describe: "its ID.scenario.json: role, timeout and terminals come from it" })
      .option("role", { choices: ["host", "terminal"] as const, default: "host" as const, describe: "which suite, without --scenario" })
      .option("dialect", { alias: "d", type: "string", requiresArg: true, describe: "override the trace's dialect (a path for a dialect of your own)" })
      .option("suite", { type: "string", requiresArg: true, describe: "a suite module of your own" })
      .option("only", { type: "array", string: true, describe: "property IDs or prefixes" })
      .option("skip", { type: "array", string: true, describe: "property IDs or prefixes to leave out" })
      .option("timeout-ms", { type: "number", default: 30_000, describe: "the response timeout the run used, without --scenario" })
      .example("isoconf check isoconf-report/x/H-REV-1.trace.jsonl --scenario isoconf-report/x/H-REV-1.scenario.json", "judge a counterexample's trace again with today's suite")
      .example("isoconf check capture.trace.jsonl --only H-DUP H-REV", "some properties only, over a trace recorded elsewhere"),
  handler: async (a: CheckArgs): Promise<number> => {
    const file = await readTraceJsonl(a.trace);
    const recorded = a.scenario ? readScenarioFile(a.scenario) : undefined;
    if (recorded) checkScenarioBelongs(a.scenario!, recorded.scenario, recorded.dialect, a.trace, file);
    const role = recorded?.scenario.role ?? a.role;
    // A dialect of your own travels in the scenario file: the trace header only names it.
    const dialect = recorded ? scenarioDialect(a.scenario!, recorded, a.dialect) : resolveDialect(a.dialect ?? file.header.dialect);
    const suite = a.suite ? await loadSuite(a.suite, role) : suiteFor(role);
    const { active } = selectProperties({ suite, dialect, only: a.only, skip: a.skip });
    if (active.length === 0) throw new UsageError("no property selected");
    const ctx: CheckContext = {
      dialect,
      responseTimeoutMs: recorded?.responseTimeoutMs ?? a["timeout-ms"],
      registeredTerminals: recorded?.registeredTerminals ?? [...REGISTERED_TERMINALS],
    };
    const scenario: Scenario = recorded?.scenario ?? (role === "host" ? { role, terminals: [], steps: [] } : { role, steps: [] });
    const judged = new Map<string, number>();
    const failing = checkAll(active, scenario, file.events, ctx, judged);
    const lines = [`${file.events.length} events from ${a.trace} (dialect ${dialect.name}${file.header.masked ? ", masked" : ""}):`];
    for (const p of active) {
      const v = failing.get(p.id);
      // A rule the trace never exercised has not passed: UNTD, as in a run's summary.
      const n = judged.get(p.id) ?? 0;
      const mark = v ? "FAIL" : n > 0 ? "ok  " : "UNTD";
      lines.push(`${mark} ${p.id.padEnd(9)} ${p.title} (${n > 0 ? `judged ${n} ${p.judges}` : `no ${p.judges} in this trace`})`);
      for (const x of v ?? []) lines.push(`  - ${x.message} (events ${x.events.join(", ")})`, `    expected: ${x.expected}`, `    actual:   ${x.actual}`);
    }
    process.stdout.write(lines.join("\n") + "\n");
    return failing.size > 0 ? 1 : 0;
  },
};

/**
 * A scenario from another run would re-judge the trace against the wrong steps and can turn a
 * failure into a pass: the trace names its scenario's digest (older traces: its dialect and steps).
 */
function checkScenarioBelongs(path: string, scenario: Scenario, dialect: string, tracePath: string, file: TraceFile): void {
  const refuse = (why: string): never => {
    throw new UsageError(`${path} is not the scenario of ${tracePath}: ${why}; give the ID.scenario.json written beside it`);
  };
  if (file.header.scenario !== undefined && file.header.scenario !== scenarioDigest(scenario)) refuse("the trace names another scenario's digest");
  if (file.header.dialect !== dialect) refuse(`the trace was recorded under dialect ${file.header.dialect}, the scenario under ${dialect}`);
  for (const e of file.events) {
    if (e.kind !== "step" || e.step === undefined) continue;
    const step = scenario.steps[e.step];
    if (step === undefined) refuse(`the trace has step ${e.step + 1}, the scenario ${scenario.steps.length} step(s)`);
    if (describeStep(scenario, step) !== e.text) refuse(`step ${e.step + 1} of the trace is ${JSON.stringify(e.text)}, of the scenario ${JSON.stringify(describeStep(scenario, step))}`);
  }
}
