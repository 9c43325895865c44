import assert from "node:assert/strict";
import { exitCodeOf } from "../../reports/exitCode.js";
import { type PropertyResult, type Verdict } from "../../src/runner/suiteResult.js";

describe("reports/exitCode: exitCodeOf", () => {
  const run = (verdicts: Record<string, Verdict>, interrupted = false, reason?: "interrupted" | "deadline" | "kit-error") => ({
    interrupted,
    ...(reason ? { stopped: { reason } } : {}),
    properties: Object.entries(verdicts).map(([id, verdict]) => ({ id, title: "", requirement: "", reference: "", verdict, reason: "", foundAfter: 1 }) as PropertyResult),
  });
  const none = new Map<string, string>();

  const cases: Array<[string, ReturnType<typeof run>, Map<string, string>, { code: number; stale: string[] }]> = [
    ["all pass (flaky and skipped do not fail a run)", run({ A: "pass", B: "flaky", C: "skipped" }), none, { code: 0, stale: [] }],
    ["a failure", run({ A: "pass", B: "fail" }), none, { code: 1, stale: [] }],
    ["a waived failure", run({ A: "pass", B: "fail" }), new Map([["B", "known"]]), { code: 0, stale: [] }],
    ["a waiver of a passing property is stale", run({ A: "pass", B: "fail" }), new Map([["A", "old"], ["B", "known"]]), { code: 1, stale: ["A"] }],
    ["interrupted", run({ A: "pass" }, true), none, { code: 2, stale: [] }],
    ["a failure outranks an interruption", run({ A: "fail" }, true), none, { code: 1, stale: [] }],
    ["stopped by Ctrl-C", run({ A: "pass" }, true, "interrupted"), none, { code: 2, stale: [] }],
    ["stopped because the kit could not run a scenario", run({ A: "pass" }, true, "kit-error"), none, { code: 2, stale: [] }],
    ["stopped at its own deadline: a time box is what was asked", run({ A: "pass" }, true, "deadline"), none, { code: 0, stale: [] }],
    ["stopped at its deadline with a failure", run({ A: "fail" }, true, "deadline"), none, { code: 1, stale: [] }],
  ];
  for (const [name, result, waivers, expected] of cases) it(name, () => assert.deepEqual(exitCodeOf(result, waivers), expected));
});
