import assert from "node:assert/strict";
import { hostScenario, hostScenarioShape } from "../../generators/hostScenario.js";
import { builtinDialect } from "../../src/iso8583/builtinDialects.js";
import { referenceHostTarget } from "../../src/roles/referenceHostTarget.js";
import { checkAll, runScenario } from "../../src/runner/runScenario.js";
import { describeStep } from "../../src/scenario/scenario.js";
import { DEFAULT_TMK, REGISTERED_TERMINALS, UNREGISTERED_TERMINAL } from "../../src/sim/defaults.js";
import { HOST_BUGS, hostBug, hostBugAcrossRun, type HostBugName } from "../../src/sim/host/bugs.js";
import { hostSuite } from "../../suites/host/index.js";
import { failures, runHostSuite, untested } from "../helpers/hostRun.js";
import { dialectFor } from "../helpers/profiledDialect.js";

// The proof that the host suite works: the correct reference host passes every property, and
// every seeded bug is found by the property it violates, shrunk small, and replays.
describe("host suite against the in-process reference host", function () {
  this.timeout(120_000);

  for (const [name, runs] of [["cup", 400], ["iso87ascii", 150], ["iso87binary", 150]] as const) {
    it(`a correct host passes every property over ${runs} ${name} scenarios`, async () => {
      const d = builtinDialect(name);
      const r = await runHostSuite(d, referenceHostTarget(d), { runs, seed: 20261126 });
      const found = failures(r).map((p) => `${p.id}: ${p.counterexample?.violations[0]?.message} in ${p.counterexample?.scenario.steps.map((s) => describeStep(p.counterexample!.scenario, s)).join("; ")}`);
      assert.deepEqual(found, []);
      // No false pass either: every rule applied over these scenarios.
      assert.deepEqual(untested(r), []);
      assert.equal(r.scenarios, runs);
    });
  }

  /** Bugs that one fault of the kit's requests (or one amount, or the advice) finds, and that as a step prints it. */
  const FOUND_ONLY_BY: Partial<Record<HostBugName, string>> = {
    "drops-split-request": "+split",
    "drops-pipelined": "+pipelined",
    "dies-on-header-only": "+malformed:header_only",
    "lax-amount": "+hostile_amount",
    // Amounts print in the step: the extremes of an n12 field 4, and advices by their operation.
    "dies-on-zero-amount": "(0.00)",
    "wraps-large-amount": "(9999999999.99)",
    "declines-whole-balance": "+whole_balance",
    "double-posts-advice-repeat": " advice(",
    // Copies sent one after the other on a connection wait for each other at such a host: only copies raced on two connections meet in its window.
    "racy-duplicate-check": "+race_duplicate",
    "racy-double-reversal": "+race_reversal",
  };

  // A bug only the run's scenarios together show needs a host kept between them: test/behaviour/concurrency.test.ts.
  for (const bug of HOST_BUGS.filter((b) => !hostBugAcrossRun(b))) {
    const property = bug.violates[0];
    const most = FOUND_ONLY_BY[bug.name] === undefined ? 4 : 3;
    it(`--bug ${bug.name} is found by ${property} within 200 scenarios, shrunk to at most ${most} steps, and replays`, async () => {
      const d = dialectFor(bug);
      const target = referenceHostTarget(d, { bug: bug.name });
      const r = await runHostSuite(d, target, { runs: 200, seed: 42, only: [property] });
      const p = r.properties.find((x) => x.id === property)!;
      assert.equal(p.verdict, "fail", `${property} did not fail`);
      assert.ok(p.foundAfter! <= 200);
      const cx = p.counterexample!;
      assert.ok(cx.scenario.steps.length <= most, `shrunk to ${cx.scenario.steps.length} steps`);
      const fault = FOUND_ONLY_BY[bug.name];
      if (fault !== undefined) assert.ok(cx.scenario.steps.some((st) => describeStep(cx.scenario, st).includes(fault)), `found without ${fault}`);
      // Replay: the scenario alone, outside fast-check, fails the same property again.
      const ctx = { dialect: d, target, responseTimeoutMs: 30_000, registeredTerminals: REGISTERED_TERMINALS, tmk: Buffer.from(DEFAULT_TMK, "hex") };
      const again = checkAll(hostSuite.properties.filter((x) => x.id === property), cx.scenario, await runScenario(cx.scenario, ctx), ctx);
      assert.ok(again.has(property), "the replay does not reproduce");
    });
  }

  for (const [name, fault] of Object.entries(FOUND_ONLY_BY)) {
    it(`--bug ${name} hides from everything but ${fault.trim()}: 200 scenarios without it find nothing`, async () => {
      const d = dialectFor(hostBug(name));
      const without = hostScenario({ ...hostScenarioShape(d), terminals: REGISTERED_TERMINALS, unregistered: [UNREGISTERED_TERMINAL] }).filter(
        (s) => !s.steps.some((st) => describeStep(s, st).includes(fault)),
      );
      const r = await runHostSuite(d, referenceHostTarget(d, { bug: name }), { runs: 200, seed: 42, scenarios: without });
      assert.deepEqual(failures(r).map((p) => p.id), []);
    });
  }
});
