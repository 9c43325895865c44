import assert from "node:assert/strict";
import { builtinDialect } from "../../src/iso8583/builtinDialects.js";
import { referenceHostTarget } from "../../src/roles/referenceHostTarget.js";
import { runScenario } from "../../src/runner/runScenario.js";
import type { RunEvent } from "../../src/runner/runSuite.js";
import { DEFAULT_TMK, REGISTERED_TERMINALS } from "../../src/sim/defaults.js";
import { runHostSuite } from "../helpers/hostRun.js";
import { counterexampleOf } from "../../src/runner/suiteResult.js";

describe("runner: stopping and shrinking", function () {
  this.timeout(60_000);
  const cup = builtinDialect("cup");

  it("an interrupted run ends at once, however many runs were asked for", async () => {
    let seen = 0;
    const started = performance.now();
    const r = await runHostSuite(cup, referenceHostTarget(cup), { runs: 1_000_000_000, seed: 3, onProgress: () => seen++, interrupted: () => seen >= 20 });
    assert.equal(r.interrupted, true);
    assert.equal(r.scenarios, 20);
    // fast-check would otherwise generate the other 999,999,980 scenarios before returning.
    assert.ok(performance.now() - started < 30_000);
  });

  it("a whole-run deadline ends the run the same way", async () => {
    const r = await runHostSuite(cup, referenceHostTarget(cup), { runs: 1_000_000_000, seed: 3, deadlineMs: 300 });
    assert.equal(r.interrupted, true);
    assert.ok(r.scenarios > 0 && r.scenarios < 1_000_000);
  });

  it("a counterexample numbers its connections from c1, the same in every run and in a replay of its scenario", async () => {
    const conns = (trace: readonly { conn?: string }[]) => [...new Set(trace.flatMap((e) => (e.conn === undefined ? [] : [e.conn])))];
    const target = referenceHostTarget(cup, { bug: "reversal-ignored" });
    const [first, second] = [await runHostSuite(cup, target, { runs: 40, seed: 42 }), await runHostSuite(cup, target, { runs: 40, seed: 42 })];
    const cx = counterexampleOf(first.properties.find((p) => p.id === "H-REV-1")!);
    assert.ok(cx, "H-REV-1 fails against the reversal-ignored host");
    const ids = conns(cx.trace);
    assert.deepEqual(ids, ids.map((_, i) => `c${i + 1}`));
    assert.deepEqual(conns(counterexampleOf(second.properties.find((p) => p.id === "H-REV-1")!)!.trace), ids);
    const replay = await runScenario(cx.scenario, { target, dialect: cup, responseTimeoutMs: 30_000, registeredTerminals: REGISTERED_TERMINALS, tmk: Buffer.from(DEFAULT_TMK, "hex") });
    assert.deepEqual(conns(replay), ids);
  });

  it("a property that failed in the scenario another was shrunk over is shrunk too, even when the runs run out", async () => {
    // Seed and shard chosen so that H-DUP-1 and H-SET-1 first fail in the same scenario, and
    // H-SET-1 does not fail again in this shard's later scenarios: with seed 1, both first fail in
    // the shard's 3rd scenario (the stream's 9th, 10 steps) and the shard's 10 later scenarios
    // pass H-SET-1; each shrinks to one step.
    const events: RunEvent[] = [];
    const r = await runHostSuite(cup, referenceHostTarget(cup, { bug: "double-post-duplicate" }), { runs: 40, seed: 1, shard: { index: 3, count: 3 }, onEvent: (e) => events.push(e) });
    const failed = r.properties.filter((p) => p.verdict === "fail");
    assert.deepEqual(
      failed.map((p) => p.id),
      ["H-DUP-1", "H-SET-1"],
    );
    const found = events.filter((e) => e.kind === "found");
    assert.equal(new Set(found.map((e) => (e.kind === "found" ? e.after : 0))).size, 1, "both found in the same scenario");
    for (const p of failed) {
      const cx = p.counterexample!;
      assert.ok(cx.shrinkRuns > 0, `${p.id} was shrunk`);
      assert.ok(cx.scenario.steps.length < cx.originalSteps, `${p.id}: ${cx.originalSteps} → ${cx.scenario.steps.length} steps`);
      assert.ok(events.some((e) => e.kind === "shrunk" && e.property === p.id));
    }
    const lastScenario = events.findLastIndex((e) => e.kind === "scenario");
    assert.ok(events.findIndex((e) => e.kind === "shrunk" && e.property === "H-SET-1") > lastScenario, "H-SET-1 shrunk after the runs ran out");
  });
});
