import assert from "node:assert/strict";
import { builtinDialect } from "../../src/iso8583/builtinDialects.js";
import { referenceHostTarget } from "../../src/roles/referenceHostTarget.js";
import { counterexampleOf } from "../../src/runner/suiteResult.js";
import { violationWhen } from "../../reports/reportText.js";
import { runHostSuite } from "../helpers/hostRun.js";

// A failure in the kit's teardown (the settlement after the steps) must not read as caused by
// the last step: the report says where in the scenario each violation happened.
describe("reports: when in the scenario a violation happened", () => {
  const cup = builtinDialect("cup");
  const counterexample = async (bug: "settle-miscount" | "double-post-duplicate", id: string) => {
    const r = await runHostSuite(cup, referenceHostTarget(cup, { bug }), { runs: 200, seed: 42, only: [id] });
    const cx = counterexampleOf(r.properties.find((p) => p.id === id)!);
    assert.ok(cx, `${id} fails against ${bug}`);
    return cx;
  };

  it("a wrong settlement answer is in the teardown, after the steps", async () => {
    const cx = await counterexample("settle-miscount", "H-SET-1");
    assert.deepEqual(new Set(cx.violations.map((v) => violationWhen(cx, v))), new Set(["the teardown, after the steps (pending reversals, balance readings, settlement)"]));
  });

  it("a duplicate posted twice is in the step that sent it", async () => {
    const cx = await counterexample("double-post-duplicate", "H-DUP-1");
    const when = cx.violations.map((v) => violationWhen(cx, v));
    assert.ok(when.every((w) => /^step \d+: TERM\d{4} \w+\(\d+\.\d{2}\)\+(race_)?duplicate$/.test(w)), when.join("; "));
  });
});
