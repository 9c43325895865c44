import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runConformance } from "../../api/runConformance.js";
import { UsageError } from "../../api/usageError.js";
import { builtinDialect } from "../../src/iso8583/builtinDialects.js";
import { runCliAsync } from "../helpers/cli.js";
import { startHostProcess, stop } from "../helpers/simHostProcess.js";

const out = () => join(mkdtempSync(join(tmpdir(), "isoconf-api-")), "out");

describe("runConformance: what it refuses, and runs that must not pass", function () {
  this.timeout(120_000);

  it("refuses a selection or a waiver that names no property: a run that checks nothing must not pass", async () => {
    await assert.rejects(runConformance({ role: "host", only: ["H-REVV"], out: out() }), (e: Error) => e instanceof UsageError && /--only H-REVV: no property of the host suite is or starts with it/.test(e.message));
    await assert.rejects(runConformance({ role: "host", skip: ["T-REV"], out: out() }), /--skip T-REV: no property of the host suite/);
    await assert.rejects(runConformance({ role: "terminal", waivers: [{ id: "H-DUP-1", reason: "a reason long enough" }], out: out() }), /waivers: H-DUP-1 is not a property of the terminal suite/);
  });

  it("refuses the other role's flags, and options the built-in host would ignore", async () => {
    await assert.rejects(runConformance({ role: "host", control: "passive", "idle-ms": 5 }), /--control, --idle-ms describe the terminal role \(run terminal\), not run host/);
    await assert.rejects(runConformance({ role: "terminal", terminals: ["LAB00001"] }), /--terminals describes the host role/);
    await assert.rejects(runConformance({ role: "host", framing: "binary2" }), /--framing and --reset-cmd apply to a host of your own/);
  });

  it("never repeats a key it refuses, and says what a number flag got", async () => {
    const secret = "0123456789ABCDEFFEDCBA98765432";
    await assert.rejects(runConformance({ role: "host", tmk: secret }), (e: Error) => /--tmk must be a DES key in hex.*got 30 characters \(not shown\)/.test(e.message) && !e.message.includes(secret));
    await assert.rejects(runConformance({ role: "host", "timeout-ms": Number("abc") }), /--timeout-ms must be a number above 0, got something that is not a number/);
  });

  it("a terminal that never reaches the kit is not a pass: exit 2 after the report is written", async () => {
    const dir = out();
    const r = await runCliAsync(["run", "terminal", "--target", "tcp://127.0.0.1:1", "--control", "passive", "--idle-ms", "200", "--runs", "3", "--out", dir]);
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /the terminal sent no request in 3 scenario\(s\): check that it reaches the kit \(tcp:\/\/127\.0\.0\.1:1\)/);
    assert.ok(existsSync(join(dir, "summary.json")));
  });

  it("when the kit cannot run a scenario (a reset command fails) the run stops there: one line, exit 2, the report of what ran", async () => {
    const host = await startHostProcess(["--listen", "tcp://127.0.0.1:0"]);
    try {
      const dir = out();
      const count = join(mkdtempSync(join(tmpdir(), "isoconf-reset-")), "resets");
      // The first two resets work (the reachability and sign-on checks), every later one fails.
      const r = await runCliAsync(["run", "host", "--target", host.url, "--runs", "20", "--seed", "3", "--timeout-ms", "500", "--out", dir, "--quiet", "--reset-cmd", `echo x >> ${count}; test $(wc -l < ${count}) -le 2 || exit 3`]);
      assert.equal(r.status, 2, r.stdout + r.stderr);
      assert.match(r.stderr, /^isoconf: the run stopped early: a scenario could not be run: the reset command failed \(exit 3\)/m);
      assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
      const summary = JSON.parse(readFileSync(join(dir, "summary.json"), "utf8"));
      assert.equal(summary.interrupted, true);
      assert.equal(summary.figures.scenarios, 1, "stopped at the first scenario, not shrunk as if the host had failed");
    } finally {
      await stop(host.child);
    }
  });

  it("a reset command that fails before the run is a setup error: one line, exit 2", async () => {
    const host = await startHostProcess(["--listen", "tcp://127.0.0.1:0"]);
    try {
      const r = await runCliAsync(["run", "host", "--target", host.url, "--runs", "5", "--out", out(), "--reset-cmd", "exit 3"]);
      assert.equal(r.status, 2, r.stdout + r.stderr);
      assert.match(r.stderr, /^isoconf: cannot prepare the SUT at tcp:\/\/127\.0\.0\.1:\d+: the reset command failed \(exit 3\)/m);
      assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
    } finally {
      await stop(host.child);
    }
  });

  it("replay loads the suite before it opens the SUT: a bad suite with --listen ends at once, exit 2", async () => {
    const dir = out();
    const found = await runCliAsync(["run", "host", "--bug", "wrong-stan-echo", "--only", "H-ECHO-1", "--runs", "20", "--seed", "1", "--out", dir, "--quiet"]);
    assert.equal(found.status, 1, found.stdout + found.stderr);
    const r = await runCliAsync(["replay", join(dir, "H-ECHO-1.scenario.json"), "--listen", "tcp://127.0.0.1:0", "--suite", "no-such-suite.mjs"], 20_000);
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /--suite no-such-suite\.mjs: no such file/);
  });

  it("IDs are held to the dialect's fields 41 and 42, not to constants: a 16-character merchant runs, the default is refused in one line", async () => {
    const table = structuredClone(builtinDialect("cup").table);
    table.dialect = "lab-mid";
    table.fields = table.fields.map((f) => (f.number === 42 ? { ...f, max_length: 16 } : f));
    const file = join(mkdtempSync(join(tmpdir(), "isoconf-mid-")), "lab-mid.json");
    writeFileSync(file, JSON.stringify(table));
    await assert.rejects(runConformance({ role: "host", dialect: file, runs: 5, out: out() }), (e: Error) =>
      e instanceof UsageError && e.message === '"123456789012345" does not fit field 42 of dialect lab-mid (fields[19]: value is 15 bytes, expecting exactly 16): give --merchant to match the dialect');
    await assert.rejects(runConformance({ role: "terminal", dialect: file, merchant: "1234567890123456", tid: "TERM001", runs: 5, out: out() }), /"TERM001" does not fit field 41 of dialect lab-mid .*: give --tid/);
    for (const role of ["host", "terminal"] as const) {
      const r = await runConformance({ role, dialect: file, merchant: "1234567890123456", runs: 60, seed: 7, out: out() });
      // n/a: what the profile says the SUT lacks (H-BAL-1 without balances), not a verdict on the IDs.
      assert.deepEqual(r.result.properties.filter((p) => p.verdict !== "pass" && p.verdict !== "n/a").map((p) => `${p.id} ${p.verdict} ${"reason" in p ? p.reason : ""}`), [], role);
    }
  });
});
