import assert from "node:assert/strict";
import fc from "fast-check";
import { hostFault } from "../../generators/fault.js";
import { hostScenario } from "../../generators/hostScenario.js";
import { describeStep, hostScenarioSchema, type HostScenario } from "../../src/scenario/scenario.js";

const TERMINALS = { terminals: ["TERM0001", "TERM0002"], unregistered: ["TERM9999"] };
const describe_ = (s: HostScenario) => s.steps.map((st) => describeStep(s, st));

describe("hostScenario", () => {
  it("makes only what a scenario file may hold: every scenario parses with the one scenario schema", () => {
    fc.assert(
      fc.property(hostScenario({ ...TERMINALS, faultRate: 0.8 }), (s) => {
        hostScenarioSchema.parse(s);
        for (const st of s.steps) {
          assert.equal(st.amount !== undefined, ["purchase", "refund", "preauth", "advice"].includes(st.op), JSON.stringify(st));
          if (st.fault?.kind === "malformed") assert.ok(["truncated", "bad_length", "bad_content", "garbage", "header_only"].includes(st.fault.variant));
          if (st.fault?.kind === "hostile_amount") assert.ok(["purchase", "refund", "preauth", "void", "advice"].includes(st.op), `a hostile amount on ${st.op}, which has no field 4`);
        }
      }),
      { numRuns: 300, seed: 3 },
    );
  });

  it("is stable: seed 42 gives the same first scenarios, release after release", () => {
    // A change here changes every seeded run of the host suite: make it on purpose. (Moved with
    // the race faults, the advice operation and the extreme amounts.)
    assert.deepEqual(fc.sample(hostScenario(TERMINALS), { numRuns: 3, seed: 42 }).map(describe_), [
      ["TERM0001 balance+race_duplicate"],
      ["TERM0002 advice(42669.00)", "TERM0002 refund(45709.70)", "TERM0001 purchase(68661.00)", "TERM0002 purchase(16167.00)", "TERM0001 signon"],
      ["TERM0002 advice(56570.00)+split", "TERM0002 void", "TERM0001 purchase(4467.00)"],
    ]);
  });

  it("--max-steps takes effect above fast-check's default size: 40 draws scenarios longer than 20 allows", () => {
    const longest = (maxSteps: number) => Math.max(...fc.sample(hostScenario({ ...TERMINALS, maxSteps }), { numRuns: 200, seed: 9 }).map((s) => s.steps.length));
    assert.ok(longest(20) > 12, `maxSteps 20: longest ${longest(20)}`);
    assert.ok(longest(40) > 20, `maxSteps 40: longest ${longest(40)}`);
    assert.ok(longest(20) <= 20 && longest(40) <= 40);
  });

  it("leaves out bad MACs where the dialect has none", () => {
    fc.assert(fc.property(hostFault({}, false), (f) => f.kind !== "bad_mac"), { numRuns: 200, seed: 4 });
  });

  it("refuses a negative weight rather than dropping that fault silently", () => {
    assert.throws(() => hostFault({ duplicate: -1 }), /hostFault: weight of duplicate must be >= 0, got -1/);
    assert.throws(() => hostFault({ drop: 0, duplicate: 0, bad_mac: 0, malformed: 0, disconnect: 0, reverse_twice: 0, reverse_unknown: 0, split: 0, pipelined: 0, hostile_amount: 0, race_duplicate: 0, race_reversal: 0 }), /every fault weight is 0/);
  });

  it("draws the extreme amounts now and then, and spends the whole balance only where the SUT reports it, on purchases and pre-auths", () => {
    const amounts = fc.sample(hostScenario(TERMINALS), { numRuns: 300, seed: 6 }).flatMap((s) => s.steps.flatMap((st) => (st.amount === undefined ? [] : [st.amount])));
    assert.ok(amounts.includes(0) && amounts.includes(999_999_999_999), "zero and the largest n12 amount");
    const faults = (withBalances: boolean) => fc.sample(hostScenario({ ...TERMINALS, faultRate: 1, withBalances }), { numRuns: 200, seed: 7 }).flatMap((s) => s.steps.filter((st) => st.fault?.kind === "whole_balance"));
    assert.deepEqual(faults(false), []);
    const spent = faults(true);
    assert.ok(spent.length > 0 && spent.every((st) => st.op === "purchase" || st.op === "preauth"), [...new Set(spent.map((st) => st.op))].join(", "));
  });

  it("pipelines no echo test to a SUT that does no echo", () => {
    const noEcho = hostScenario({ ...TERMINALS, faultRate: 1, leaveOut: ["echo"] });
    fc.assert(fc.property(noEcho, (s) => s.steps.every((st) => st.fault?.kind !== "pipelined")), { numRuns: 200, seed: 5 });
  });
});
