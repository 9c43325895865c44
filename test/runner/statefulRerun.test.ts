import assert from "node:assert/strict";
import { builtinDialect } from "../../src/iso8583/builtinDialects.js";
import type { HostScenario } from "../../src/scenario/scenario.js";
import { SCENARIO_EPOCH } from "../../src/scenario/epoch.js";
import type { Target } from "../../src/scenario/target.js";
import { inProcessHost } from "../../src/sim/host/inProcessHost.js";
import { ReferenceHost } from "../../src/sim/host/referenceHost.js";
import fc from "fast-check";
import { runHostSuite } from "../helpers/hostRun.js";
import { keptHostTarget } from "../helpers/keptHost.js";
import { stateMoved } from "../../src/runner/stateMoved.js";
import { runScenario } from "../../src/runner/runScenario.js";
import { DEFAULT_TMK, REGISTERED_TERMINALS } from "../../src/sim/defaults.js";

// A host that keeps its books between scenarios, as every external one does: a re-run of a
// failing scenario meets the balances the first run left. A deterministic bug must not come
// out flaky because a card ran out of funds under the first run.
describe("runner: re-runs against a host whose state moved", () => {
  const cup = builtinDialect("cup");
  /** One reference host for the whole run, kept between scenarios, with the bug. */
  const statefulHost = () => keptHostTarget(cup, "double-post-duplicate");
  // 10,000.00 posted twice spends the card's 20,000.00 (its PAN ends in 1x): the re-run's purchase is declined (51).
  const card = { bin: "622588", account: 1, length: 16, expiry: "2812", swiped: false };
  const doubled: HostScenario = { role: "host", terminals: [REGISTERED_TERMINALS[0]], steps: [{ op: "purchase", terminal: 0, amount: 1_000_000, card, fault: { kind: "duplicate" } }] };

  it("a duplicate posted twice stays a failure, not flaky, when the re-runs are declined for the funds it spent", async () => {
    const r = await runHostSuite(cup, statefulHost(), { runs: 1, seed: 1, only: ["H-DUP-1"], scenarios: fc.constant(doubled), shrink: { maxRuns: 0 } });
    const dup = r.properties.find((p) => p.id === "H-DUP-1")!;
    assert.equal(dup.verdict, "fail", JSON.stringify(dup).slice(0, 300));
    assert.match("reason" in dup ? String(dup.reason) : "", /^2 re-run\(s\) passed but are no evidence: the host answered 51 to step 1's 0200, which it had approved: its state moved$/);
  });

  it("stateMoved: a decline for funds where the first run was approved; not a decline the first run had too", async () => {
    const ctx = { dialect: cup, target: statefulHost(), responseTimeoutMs: 30_000, registeredTerminals: REGISTERED_TERMINALS, tmk: Buffer.from(DEFAULT_TMK, "hex"), counters: new Map() };
    const first = await runScenario(doubled, ctx);
    const again = await runScenario(doubled, ctx);
    const third = await runScenario(doubled, ctx);
    assert.match(stateMoved(cup, first, again) ?? "", /answered 51 to step 1's 0200/);
    assert.equal(stateMoved(cup, again, third), undefined);
    assert.equal(stateMoved(cup, first, first), undefined);
  });

  it("the host the kit plays for a terminal under test puts its card balances back for a re-run, and nothing else", async () => {
    const host = new ReferenceHost(cup, { epoch: SCENARIO_EPOCH });
    const saved = host.saveCards();
    const served = inProcessHost(host);
    const target: Target = { description: "h", role: "host", realTime: true, open: async () => ({ clock: host.clock, connect: () => served.connect(), close: async () => {} }) };
    await runScenario(doubled, { dialect: cup, target, responseTimeoutMs: 30_000, registeredTerminals: REGISTERED_TERMINALS, tmk: Buffer.from(DEFAULT_TMK, "hex") });
    const spent = host.snapshot();
    const pan = Object.keys(spent.cards)[0];
    assert.equal(spent.cards[pan].available, 1_000_000, "the duplicate was posted once");
    host.restoreCards(saved);
    const back = host.snapshot();
    assert.deepEqual(back.cards, {});
    assert.deepEqual(back.terminals, spent.terminals, "the books stay: the terminal has moved on");
    await served.close();
  });
});
