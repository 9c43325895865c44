import { hostScenario, hostScenarioShape } from "../../generators/hostScenario.js";
import type { Dialect } from "../../src/iso8583/dialect.js";
import { runSuite, type RunSuiteOptions } from "../../src/runner/runSuite.js";
import { isFound, type SuiteResult } from "../../src/runner/suiteResult.js";
import type { Target } from "../../src/scenario/target.js";
import { DEFAULT_TMK, REGISTERED_TERMINALS, UNREGISTERED_TERMINAL } from "../../src/sim/defaults.js";
import { hostSuite } from "../../suites/host/index.js";

/** The host suite with the CLI's defaults, as a test or benchmark runs it. */
export function runHostSuite(dialect: Dialect, target: Target, o: Partial<RunSuiteOptions> & { runs: number; seed: number }): Promise<SuiteResult> {
  return runSuite({
    suite: hostSuite,
    dialect,
    target,
    scenarios: hostScenario({ ...hostScenarioShape(dialect), terminals: REGISTERED_TERMINALS, unregistered: [UNREGISTERED_TERMINAL] }),
    responseTimeoutMs: 30_000,
    registeredTerminals: REGISTERED_TERMINALS,
    tmk: Buffer.from(DEFAULT_TMK, "hex"),
    ...o,
  });
}

/** The properties that failed or were flaky. */
export const failures = (r: SuiteResult) => r.properties.filter(isFound);
/** The properties whose rule never applied enough to pass (`untested`), with why. */
export const untested = (r: SuiteResult) => r.properties.flatMap((p) => (p.verdict === "untested" ? [`${p.id}: ${p.reason}`] : []));
