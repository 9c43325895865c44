import assert from "node:assert/strict";
import { builtinDialect } from "../../src/iso8583/builtinDialects.js";
import { loadDialect } from "../../src/iso8583/dialect.js";
import { referenceTerminalTarget } from "../../src/roles/referenceTerminalTarget.js";
import { checkAll, runScenario } from "../../src/runner/runScenario.js";
import { terminalScenario } from "../../generators/terminalScenario.js";
import { declineCodes } from "../../src/protocol/index.js";
import { describeStep, type TerminalFaultKind, type TerminalScenario, type TerminalStep } from "../../src/scenario/scenario.js";
import { TERMINAL_BUGS } from "../../src/sim/terminal/bugs.js";
import { terminalSuite } from "../../suites/terminal/index.js";
import { failures, untested } from "../helpers/hostRun.js";
import { runTerminalSuite, terminalContext } from "../helpers/terminalRun.js";

const cup = builtinDialect("cup");
const T_REV_1 = terminalSuite.properties.filter((p) => p.id === "T-REV-1");

/** What T-REV-1 must cover (issue 6), each as steps: the correct terminal passes, the no-reversal one fails. */
const REVERSAL_CASES: [string, TerminalStep[]][] = [
  ["no answer", [{ op: "purchase", amount: 500, fault: { kind: "drop" } }, { op: "purchase", amount: 600 }]],
  ["a late answer", [{ op: "purchase", amount: 500, fault: { kind: "late" } }, { op: "purchase", amount: 600 }]],
  ["a bad MAC on an approval", [{ op: "purchase", amount: 500, fault: { kind: "bad_mac" } }, { op: "purchase", amount: 600 }]],
  ["a mismatched echo", [{ op: "purchase", amount: 500, fault: { kind: "wrong_amount" } }, { op: "purchase", amount: 600 }]],
  ["the answer lost, then the reversal's answer lost too", [{ op: "purchase", amount: 500, fault: { kind: "drop", reversalDrops: 1 } }, { op: "purchase", amount: 600 }]],
  ["a pending reversal, then settlement", [{ op: "purchase", amount: 500, fault: { kind: "drop" } }, { op: "settlement" }]],
  ["a restart while a reversal is pending", [{ op: "purchase", amount: 500, fault: { kind: "drop" } }, { op: "restart" }, { op: "purchase", amount: 600 }]],
];

/** Seeded bugs that only one fault of the kit's answers reaches (issue 15). */
const ONLY_FOUND_BY: Partial<Record<string, TerminalFaultKind>> = { "reads-one-chunk": "split", "hangs-on-close": "close", "takes-truncated-approval": "truncated_approval" };

// The proof that the terminal suite works: the correct reference terminal passes every property,
// and every seeded bug is found by the property it violates, shrunk small, and replays.
describe("terminal suite against the in-process reference terminal", function () {
  this.timeout(120_000);

  for (const [name, runs] of [["cup", 300], ["iso87ascii", 150], ["iso87binary", 150]] as const) {
    it(`a correct terminal passes every property over ${runs} ${name} scenarios`, async () => {
      const d = builtinDialect(name);
      const r = await runTerminalSuite(d, referenceTerminalTarget(d), { runs, seed: 20261126 });
      const found = failures(r).map((p) => `${p.id}: ${p.counterexample?.violations[0]?.message} in ${p.counterexample?.scenario.steps.map((s) => describeStep(p.counterexample!.scenario, s)).join("; ")}`);
      assert.deepEqual(found, []);
      // No false pass either: every rule applied over these scenarios.
      assert.deepEqual(untested(r), []);
      assert.equal(r.scenarios, runs);
    });
  }

  it("a MAC on every answer (mac.verify always): a sign-on whose answer the kit keeps back leaves the kit's host on the terminal's keys, no false alarm over 200 scenarios", async () => {
    const t = structuredClone(cup.table) as any;
    t.dialect = "cup-verify-always";
    t.mac = { algorithm: "x9.19", field: 64, verify: "always" };
    const d = loadDialect(t, "cup-verify-always.json");
    // Before, the host took the new keys of a sign-on it dropped, MACed the terminal's next answers under them,
    // and the terminal's reversals (A0) of those answers failed T-REV-2 and T-RC-1: signon+drop; purchase; purchase.
    const r = await runTerminalSuite(d, referenceTerminalTarget(d), { runs: 200, seed: 3 });
    assert.deepEqual(failures(r).map((p) => `${p.id}: ${p.counterexample?.violations[0]?.message}`), []);
    assert.deepEqual(untested(r), []);
  });

  it("a terminal timeout under 500 ms: an answer at once still counts as timely, so every rule is judged", async () => {
    // The grace either side of the timeout was 250 ms at least: under 100 ms every answer fell in it, and 4 properties went untested.
    const r = await runTerminalSuite(cup, referenceTerminalTarget(cup, { responseTimeoutMs: 100 }), { runs: 100, seed: 1, responseTimeoutMs: 100 });
    assert.deepEqual(failures(r).map((p) => p.id), []);
    assert.deepEqual(untested(r), []);
  });

  for (const [what, steps] of REVERSAL_CASES) {
    it(`T-REV-1 covers ${what}: the correct terminal passes, the no-reversal terminal fails`, async () => {
      const scenario: TerminalScenario = { role: "terminal", steps };
      for (const bug of [undefined, "no-reversal"]) {
        const ctx = terminalContext(cup, referenceTerminalTarget(cup, { bug }));
        const failing = checkAll(T_REV_1, scenario, await runScenario(scenario, ctx), ctx);
        assert.equal(failing.has("T-REV-1"), bug !== undefined, `bug ${bug ?? "none"}: ${failing.get("T-REV-1")?.[0]?.message}`);
      }
    });
  }

  for (const bug of TERMINAL_BUGS) {
    const property = bug.violates[0];
    it(`--bug ${bug.name} is found by ${property} within 200 scenarios, shrunk to at most 4 steps, and replays`, async () => {
      const target = referenceTerminalTarget(cup, { bug: bug.name });
      const r = await runTerminalSuite(cup, target, { runs: 200, seed: 42, only: [property] });
      const p = r.properties.find((x) => x.id === property)!;
      assert.equal(p.verdict, "fail", `${property} did not fail`);
      assert.ok(p.foundAfter! <= 200);
      const cx = p.counterexample!;
      const steps = cx.scenario.steps.map((s) => describeStep(cx.scenario, s));
      assert.ok(steps.length <= 4, `shrunk to ${steps.join("; ")}`);
      const fault = ONLY_FOUND_BY[bug.name];
      if (fault !== undefined) {
        assert.ok(steps.length <= 3, `shrunk to ${steps.join("; ")}`);
        assert.ok(steps.some((s) => s.includes(`+${fault}`)), `the ${fault} fault is not in ${steps.join("; ")}`);
      }
      if (bug.name === "takes-truncated-approval") assert.match(cx.violations[0].message, /a truncated answer was taken for an approval/);
      if (bug.name === "no-reversal") {
        assert.deepEqual(steps.map((s) => s.replace(/\(.*?\)/, "")), ["purchase+drop", "purchase"], "a purchase whose answer is dropped, then a purchase");
      }
      // Replay: the scenario alone, outside fast-check, fails the same property again.
      const ctx = terminalContext(cup, target);
      const again = checkAll(terminalSuite.properties.filter((x) => x.id === property), cx.scenario, await runScenario(cx.scenario, ctx), ctx);
      assert.ok(again.has(property), "the replay does not reproduce");
    });
  }

  for (const [bug, fault] of Object.entries(ONLY_FOUND_BY)) {
    it(`--bug ${bug} is out of reach of every fault but ${fault}: 200 scenarios without it pass the whole suite`, async () => {
      const scenarios = terminalScenario({ reversalAttempts: 3, codes: declineCodes(cup), faults: { [fault!]: 0 } });
      const r = await runTerminalSuite(cup, referenceTerminalTarget(cup, { bug }), { runs: 200, seed: 42, scenarios });
      assert.deepEqual(failures(r).map((p) => p.id), []);
    });
  }
});
