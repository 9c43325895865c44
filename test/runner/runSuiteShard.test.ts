import assert from "node:assert/strict";
import { builtinDialect } from "../../src/iso8583/builtinDialects.js";
import { referenceHostTarget } from "../../src/roles/referenceHostTarget.js";
import type { Suite } from "../../src/runner/property.js";
import { foundAfterOf, type Shard, shardShare } from "../../src/runner/suiteResult.js";
import { runHostSuite } from "../helpers/hostRun.js";

/**
 * `--shard i/n`: shards generate the same scenarios from the same seed and each runs its own
 * positions, so without failures the shards together run exactly the whole run's scenarios.
 */
describe("runner: sharding", function () {
  this.timeout(120_000);
  const cup = builtinDialect("cup");
  const RUNS = 50;
  const SEED = 2024;

  /** A run whose one property never fails and records every scenario it is shown. */
  async function scenariosOf(shard: Shard | undefined): Promise<{ seen: string[]; scenarios: number }> {
    const seen: string[] = [];
    const suite: Suite = {
      name: "recorder",
      role: "host",
      properties: [{ id: "X-REC-1", title: "records", requirement: "none", reference: "test", role: "host", judges: "scenarios", check: (s) => (seen.push(JSON.stringify(s)), { judged: 1, violations: [] }) }],
    };
    const r = await runHostSuite(cup, referenceHostTarget(cup), { runs: RUNS, seed: SEED, shard, suite });
    assert.equal(r.properties[0].verdict, "pass");
    assert.deepEqual(r.shard, shard);
    return { seen, scenarios: r.scenarios };
  }

  it("shards 1/3, 2/3 and 3/3 together run the scenarios of the whole run, each its share", async () => {
    const whole = await scenariosOf(undefined);
    assert.equal(whole.seen.length, RUNS);
    assert.ok(new Set(whole.seen).size > RUNS / 2, "the scenarios differ (a recorder that saw one scenario would prove nothing)");
    const parts: string[] = [];
    for (let index = 1; index <= 3; index++) {
      const shard = { index, count: 3 };
      const { seen, scenarios } = await scenariosOf(shard);
      assert.equal(seen.length, shardShare(RUNS, shard), `shard ${index}/3 runs its share`);
      assert.equal(scenarios, seen.length);
      parts.push(...seen);
    }
    assert.deepEqual([...parts].sort(), [...whole.seen].sort(), "the same scenarios, as multisets");
  });

  it("with failures too: each round regenerates the seed's stream, so scenario k stays scenario k in every shard", async () => {
    /** The search scenarios a run started, by their steps, and where each property first failed. */
    async function searched(shard: Shard | undefined) {
      const started: string[] = [];
      const r = await runHostSuite(cup, referenceHostTarget(cup, { bug: "reversal-ignored" }), {
        runs: 120,
        // Seed 11: H-REV-1 and H-SET-1 first fail at scenario 30, H-REV-2 at 44, so there are several
        // rounds (since the race faults, SEED's 120 scenarios find nothing).
        seed: 11,
        shard,
        onEvent: (e) => e.kind === "scenario" && started.push(JSON.stringify(e.scenario)),
      });
      const foundAt = Object.fromEntries(r.properties.flatMap((p) => (foundAfterOf(p) === undefined ? [] : [[p.id, foundAfterOf(p)!]])));
      return { started, foundAt };
    }
    const whole = await searched(undefined);
    assert.ok(Object.keys(whole.foundAt).length >= 2, "several properties fail, so the run has several rounds");
    const shards: Awaited<ReturnType<typeof searched>>[] = [];
    for (let index = 1; index <= 3; index++) shards.push(await searched({ index, count: 3 }));
    assert.deepEqual(shards.flatMap((s) => s.started).sort(), [...whole.started].sort(), "the same search scenarios, as multisets");
    // Scenario numbers are the run's, not the shard's: where the whole run first failed a property, the shard holding that scenario failed it there too.
    for (const [id, at] of Object.entries(whole.foundAt)) {
      const holder = shards[(at - 1) % 3];
      assert.equal(holder.foundAt[id], at, `${id} found at scenario ${at} by shard ${((at - 1) % 3) + 1}`);
    }
  });

  it("shardShare splits any run exactly", () => {
    for (const runs of [1, 2, 3, 7, 100]) {
      for (const count of [1, 2, 3, 8]) {
        const shares = Array.from({ length: count }, (_, i) => shardShare(runs, { index: i + 1, count }));
        assert.equal(shares.reduce((a, b) => a + b, 0), runs, `${runs} over ${count}`);
        assert.ok(Math.max(...shares) - Math.min(...shares) <= 1);
      }
    }
  });
});
