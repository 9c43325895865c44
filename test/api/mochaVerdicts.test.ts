import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { startHostProcess, stop } from "../helpers/simHostProcess.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Runs a spec file that calls `conformance(options)` under mocha's TAP reporter; returns mocha's exit code and TAP. */
function mochaTap(options: Record<string, unknown>) {
  const dir = mkdtempSync(join(tmpdir(), "isoconf-mocha-"));
  const spec = join(dir, "conformance.spec.mjs");
  const mochaApi = pathToFileURL(join(ROOT, "api/mocha.ts")).href;
  writeFileSync(spec, `import { conformance } from ${JSON.stringify(mochaApi)};\nconformance(${JSON.stringify({ ...options, out: join(dir, "out") })});\n`);
  const r = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "node_modules/mocha/bin/mocha.js"), "--no-config", "--reporter", "tap", spec], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
  return { status: r.status, tap: r.stdout, stderr: r.stderr };
}

/** TAP test points by property ID: `ok`, `not ok`, or `skip` (mocha's pending), with the line. */
function points(tap: string) {
  const out = new Map<string, { result: "ok" | "not ok" | "skip"; line: string }>();
  for (const line of tap.split("\n")) {
    const m = /^(ok|not ok) \d+ .*?\b([HT]-[A-Z]+-\d+)\b/.exec(line);
    if (m) out.set(m[2], { result: /# SKIP/.test(line) ? "skip" : (m[1] as "ok" | "not ok"), line });
  }
  return out;
}

describe("isoconf/mocha: every verdict as mocha reports it", function () {
  this.timeout(180_000);

  it("terminal suite: a failure fails its it, a waived failure and skipped properties are pending with the reason", () => {
    const r = mochaTap({ role: "terminal", bug: "no-reversal", runs: 60, seed: 42, skip: ["T-SET"], waivers: [{ id: "T-REV-1", reason: "known issue POS-77, fixed in 2.1" }] });
    const p = points(r.tap);
    assert.equal(p.get("T-REV-1")?.result, "skip", r.tap);
    assert.match(p.get("T-REV-1")!.line, /\(waived: known issue POS-77, fixed in 2\.1\)/);
    assert.equal(p.get("T-SET-1")?.result, "skip");
    assert.match(p.get("T-SET-1")!.line, /\(skipped \(--skip\)\)/);
    const failing = [...p].filter(([, v]) => v.result === "not ok").map(([id]) => id);
    assert.equal(r.status, failing.length, r.tap + r.stderr);
    assert.ok([...p.values()].some((v) => v.result === "ok"), "the properties the bug does not touch pass");
  });

  it("a waiver of a property that passes fails its it: the waiver is stale", () => {
    const r = mochaTap({ role: "host", runs: 20, seed: 1, only: ["H-ECHO"], waivers: [{ id: "H-ECHO-1", reason: "left over from an old firmware" }] });
    const p = points(r.tap);
    assert.equal(p.get("H-ECHO-1")?.result, "not ok", r.tap);
    assert.match(r.tap, /H-ECHO-1 is waived \("left over from an old firmware"\) but passes: remove the waiver/);
    assert.equal(r.status, 1);
  });

  it("a run the kit could not finish fails the before-all hook with why, rather than an it per property", async () => {
    const host = await startHostProcess(["--listen", "tcp://127.0.0.1:0"]);
    try {
      const count = join(mkdtempSync(join(tmpdir(), "isoconf-reset-")), "resets");
      // The reachability and sign-on checks reset the host; the first scenario's reset fails.
      const r = mochaTap({ role: "host", target: host.url, runs: 10, seed: 1, "timeout-ms": 500, "reset-cmd": `echo x >> ${count}; test $(wc -l < ${count}) -le 2 || exit 3` });
      assert.equal(r.status, 1, r.tap + r.stderr);
      assert.match(r.tap, /not ok 1 .*"before all" hook/);
      assert.match(r.tap, /the run stopped early: a scenario could not be run: the reset command failed \(exit 3\)/);
      // Mocha names the hook after the first test; no it of its own runs.
      assert.equal(r.tap.split("\n").filter((l) => /^(ok|not ok) \d+ /.test(l)).length, 1, "only the hook is reported: no property as if it had been judged");
    } finally {
      await stop(host.child);
    }
  });

  it("options are checked as the CLI checks them: a typo fails the suite's before-all hook with the key named", () => {
    const r = mochaTap({ role: "host", runz: 20 });
    assert.notEqual(r.status, 0);
    assert.match(r.tap, /not ok .*before all.*hook/);
    assert.match(r.tap, /Unrecognized key: "runz"|runz/);
  });
});
