import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../helpers/cli.js";

describe("isoconf check / list", function () {
  this.timeout(120_000);

  it("list prints every property, and --json the catalogue", () => {
    const text = runCli(["list"]);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /^ {2}H-REV-1 {3}A reversal undoes an approved transaction$/m);
    assert.match(text.stdout, /^ {2}H-FMT-2 {3}Requests that break the field table are not approved$/m);
    assert.match(text.stdout, /^ {2}T-REV-1 /m);
    const json = JSON.parse(runCli(["list", "host", "--json"]).stdout);
    assert.equal(json.length, 1);
    assert.deepEqual(json[0].properties.map((p: { id: string }) => p.id).slice(0, 3), ["H-FMT-1", "H-FMT-2", "H-MTI-1"]);
  });

  it("check re-judges a saved, masked trace offline: the failure shows again, a healthy property passes", () => {
    const dir = mkdtempSync(join(tmpdir(), "isoconf-check-"));
    const run = runCli(["run", "host", "--bug", "reversal-ignored", "--only", "H-REV-1", "--runs", "100", "--seed", "42", "--out", dir, "--quiet"]);
    assert.equal(run.status, 1, run.stdout + run.stderr);
    const args = ["check", join(dir, "H-REV-1.trace.jsonl"), "--scenario", join(dir, "H-REV-1.scenario.json")];
    const failing = runCli([...args, "--only", "H-REV-1"]);
    assert.equal(failing.status, 1, failing.stdout + failing.stderr);
    assert.match(failing.stdout, /\(dialect cup, masked\)[\s\S]*FAIL H-REV-1/);
    const passing = runCli([...args, "--only", "H-ECHO-1"]);
    assert.equal(passing.status, 0, passing.stdout);
    assert.match(passing.stdout, /ok {3}H-ECHO-1 {2}Responses echo the matching fields \(judged [1-9]\d* answers\)/);
    // The trace has no unregistered terminal: H-TID-1's rule never applied, which is no pass (and no failure).
    const unexercised = runCli([...args, "--only", "H-TID-1"]);
    assert.equal(unexercised.status, 0, unexercised.stdout);
    assert.match(unexercised.stdout, /UNTD H-TID-1 {3}Unregistered terminals are refused \(no answered requests from unregistered terminals in this trace\)/);
    const missing = runCli(["check", join(dir, "nope.jsonl")]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /nope\.jsonl/);

    // Another run's scenario would judge the trace against other steps: refused, not a pass. Seed 42
    // shrinks H-REV-1 to the one step purchase(0.01)+race_reversal, seed 5 H-DUP-1 to purchase(1.00)+race_duplicate.
    const other = mkdtempSync(join(tmpdir(), "isoconf-check-"));
    assert.equal(runCli(["run", "host", "--bug", "double-post-duplicate", "--only", "H-DUP-1", "--runs", "100", "--seed", "5", "--out", other, "--quiet"]).status, 1);
    const wrong = runCli(["check", join(dir, "H-REV-1.trace.jsonl"), "--scenario", join(other, "H-DUP-1.scenario.json"), "--only", "H-REV-1"]);
    assert.equal(wrong.status, 2, wrong.stdout + wrong.stderr);
    assert.match(wrong.stderr, /^isoconf: .*H-DUP-1\.scenario\.json is not the scenario of .*H-REV-1\.trace\.jsonl: the trace names another scenario's digest; give the ID\.scenario\.json written beside it\n$/);
    // A trace without the digest (written before it existed) is held to the scenario's steps.
    const lines = readFileSync(join(dir, "H-REV-1.trace.jsonl"), "utf8").split("\n");
    const header = JSON.parse(lines[0]);
    delete header.scenario;
    const old = join(dir, "old.trace.jsonl");
    writeFileSync(old, [JSON.stringify(header), ...lines.slice(1)].join("\n"));
    assert.equal(runCli(["check", old, "--scenario", join(dir, "H-REV-1.scenario.json"), "--only", "H-REV-1"]).status, 1);
    const oldWrong = runCli(["check", old, "--scenario", join(other, "H-DUP-1.scenario.json")]);
    assert.equal(oldWrong.status, 2, oldWrong.stdout + oldWrong.stderr);
    assert.match(oldWrong.stderr, /is not the scenario of .*: step 1 of the trace is "TERM0001 purchase\(0\.01\)\+race_reversal", of the scenario "[^"]+"/);
  });
});
