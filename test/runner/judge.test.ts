import assert from "node:assert/strict";
import { builtinDialect } from "../../src/iso8583/builtinDialects.js";
import { type Property, PropertyError } from "../../src/runner/property.js";
import { reasonOf } from "../../src/runner/suiteResult.js";
import { judge } from "../../src/runner/runScenario.js";
import type { HostScenario } from "../../src/scenario/scenario.js";
import { referenceHostTarget } from "../../src/roles/referenceHostTarget.js";
import { runHostSuite } from "../helpers/hostRun.js";
import { hostSuite } from "../../suites/host/index.js";

const cup = builtinDialect("cup");
const ctx = { dialect: cup, responseTimeoutMs: 30_000, registeredTerminals: ["TERM0001"] };
const scenario: HostScenario = { role: "host", terminals: ["TERM0001"], steps: [] };
const property = (check: Property["check"]): Property => ({ id: "LAB-X-1", title: "x", requirement: "x", reference: "x", judges: "frames", role: "host", check });

describe("judge: a property's contract", () => {
  it("a check that throws, returns the violations alone, or a judged count that is no count is the property's fault, named", () => {
    const refuses = (check: Property["check"], pattern: RegExp) => assert.throws(() => judge(property(check), scenario, [], ctx), (e: unknown) => e instanceof PropertyError && pattern.test(e.message));
    refuses(() => {
      throw new Error("boom");
    }, /^property LAB-X-1: check\(\) threw: boom$/);
    refuses(() => [] as never, /^property LAB-X-1: check\(\) returned an array; expected \{ judged, violations \}/);
    refuses(() => ({ judged: 1.5, violations: [] }), /returned \{"judged":1\.5,"violations":\[\]\}/);
    refuses(() => undefined as never, /returned undefined/);
    assert.deepEqual(judge(property(() => ({ judged: 2, violations: [] })), scenario, [], ctx), { judged: 2, violations: [] });
  });

  it("--require-exercised: a rule that applied fewer times than asked is untested, with how often it did", async () => {
    const r = await runHostSuite(cup, referenceHostTarget(cup), { runs: 20, seed: 42, requireExercised: 1_000_000 });
    assert.equal(r.requireExercised, 1_000_000);
    // Every rule that applies is untested; H-BAL-1 does not apply (the CUP profile reports no balances).
    assert.deepEqual(r.properties.filter((p) => p.verdict !== "untested" && p.verdict !== "n/a").map((p) => p.id), []);
    const fmt = r.properties.find((p) => p.id === "H-FMT-1")!;
    assert.match(reasonOf(fmt) ?? "", /^exercised \d+ times in 20 scenarios, fewer than the 1000000 required$/);
    await assert.rejects(runHostSuite(cup, referenceHostTarget(cup), { runs: 1, seed: 1, requireExercised: 0 }), /requireExercised 0: expected a whole number of at least 1/);
    assert.equal(hostSuite.properties.length, r.properties.length);
  });
});
