import { terminalScenario } from "../../generators/terminalScenario.js";
import type { Dialect } from "../../src/iso8583/dialect.js";
import { declineCodes, rulesOf, unsupportedOperations } from "../../src/protocol/index.js";
import { referenceTerminalTarget, type ReferenceTerminalTargetOptions } from "../../src/roles/referenceTerminalTarget.js";
import { runScenario, type ScenarioContext } from "../../src/runner/runScenario.js";
import { runSuite, type RunSuiteOptions } from "../../src/runner/runSuite.js";
import type { SuiteResult } from "../../src/runner/suiteResult.js";
import type { TerminalScenario } from "../../src/scenario/scenario.js";
import type { TerminalTarget } from "../../src/scenario/target.js";
import { DEFAULT_TMK, REGISTERED_TERMINALS } from "../../src/sim/defaults.js";
import type { TraceEvent } from "../../src/trace/traceEvent.js";
import { terminalSuite } from "../../suites/terminal/index.js";

/** The terminal's response timeout in the tests: the reference terminal's default. */
export const TERMINAL_TIMEOUT_MS = 30_000;

/** What a terminal scenario runs with by default: the reference terminal's ID, timeout and the default TMK. */
export function terminalContext(dialect: Dialect, target: TerminalTarget, o: Partial<ScenarioContext> = {}): ScenarioContext {
  return { dialect, target, responseTimeoutMs: TERMINAL_TIMEOUT_MS, registeredTerminals: [REGISTERED_TERMINALS[0]], tmk: Buffer.from(DEFAULT_TMK, "hex"), ...o };
}

/** Runs one terminal scenario against the in-process reference terminal and returns its trace. */
export function runReferenceTerminal(dialect: Dialect, steps: TerminalScenario["steps"], o: ReferenceTerminalTargetOptions = {}): Promise<TraceEvent[]> {
  return runScenario({ role: "terminal", steps }, terminalContext(dialect, referenceTerminalTarget(dialect, o), { reversalAttempts: o.reversalAttempts }));
}

/** The frames of a trace as `MTI/STAN[/39]`, terminal requests with `>`, the kit's answers with `<`, undecodable ones as `<?`. */
export function wire(trace: readonly TraceEvent[]): string {
  return trace
    .filter((e) => e.kind === "frame")
    .map((e) => {
      const arrow = e.dir === "sut→kit" ? ">" : "<";
      const m = e.message;
      if (m === undefined) return `${arrow}?`;
      return `${arrow}${[m.mti, m.fields["11"], m.fields["39"]].filter(Boolean).join("/")}`;
    })
    .join(" ");
}

/** The kit's control results in order: `purchase:approved`, `void:declined:12`. */
export function results(trace: readonly TraceEvent[]): string[] {
  return trace.flatMap((e) => (e.kind === "control" && e.detail.result !== undefined ? [[e.detail.op, e.detail.result.outcome, e.detail.result.code].filter(Boolean).join(":")] : []));
}

/** The terminal suite with the CLI's defaults, against a terminal target, as a test or benchmark runs it. */
export function runTerminalSuite(dialect: Dialect, target: TerminalTarget, o: Partial<RunSuiteOptions> & { runs: number; seed: number; reversalAttempts?: number }): Promise<SuiteResult> {
  const attempts = o.reversalAttempts ?? rulesOf(dialect).reversal.attempts;
  return runSuite({
    suite: terminalSuite,
    dialect,
    target,
    scenarios: terminalScenario({ withMac: dialect.table.mac !== null, reversalAttempts: attempts, codes: declineCodes(dialect), leaveOut: unsupportedOperations(dialect) }),
    responseTimeoutMs: TERMINAL_TIMEOUT_MS,
    registeredTerminals: [REGISTERED_TERMINALS[0]],
    reversalAttempts: attempts,
    tmk: Buffer.from(DEFAULT_TMK, "hex"),
    ...o,
  });
}
