import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ISOCONF_BIN, ROOT } from "../helpers/builtCli.js";
import { parseStrictXml } from "../reports/support/strictXml.js";

/**
 * Starts a run that would go on for hours, waits for `ready` on its standard error, sends
 * `signal`, and resolves with the exit code and the output folder.
 */
function interruptRun(args: string[], ready: RegExp, signal: NodeJS.Signals = "SIGINT"): Promise<{ status: number | null; dir: string; stdout: string }> {
  const dir = join(mkdtempSync(join(tmpdir(), "isoconf-sigint-")), "out");
  const child = spawn(process.execPath, [ISOCONF_BIN, "run", "host", "--runs", "100000000", "--seed", "9", "--out", dir, "--verbose", ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (b: Buffer) => (stdout += b.toString()));
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`no ${ready} in 60 s, or no exit 20 s after ${signal}; stderr ends: ${stderr.slice(-500)}`));
    }, 60_000);
    let sent = false;
    child.stderr.on("data", (b: Buffer) => {
      stderr += b.toString();
      if (!sent && ready.test(stderr)) {
        sent = true;
        child.kill(signal);
      }
    });
    child.once("exit", (status) => {
      clearTimeout(deadline);
      resolve({ status, dir, stdout });
    });
  });
}

/** The output folder holds a whole, valid report of what ran. */
function assertValidReport(dir: string) {
  const summary = JSON.parse(readFileSync(join(dir, "summary.json"), "utf8"));
  assert.equal(summary.interrupted, true);
  assert.ok(summary.figures.scenarios > 0 && summary.figures.scenarios < 100_000_000);
  const junit = parseStrictXml(readFileSync(join(dir, "junit.xml"), "utf8"));
  assert.equal(junit.name, "testsuites");
  const tap = readFileSync(join(dir, "results.tap"), "utf8");
  assert.match(tap, /^TAP version 13\n/);
  assert.match(tap, /# the run was interrupted/);
  assert.match(tap, /^Bail out! the run was interrupted after \d+ of 100000000 scenarios/m, "a stopped run must not look green in CI");
  assert.equal(junit.attrs.errors, "1");
  assert.match(tap, new RegExp(`^1\\.\\.${summary.properties.length}$`, "m"));
  assert.match(readFileSync(join(dir, "index.html"), "utf8"), /<\/html>\s*$/);
  return summary;
}

describe("Ctrl-C or SIGTERM in the middle of isoconf run", function () {
  this.timeout(120_000);

  it("stops at the next scenario, writes a valid partial report that says so, exit 2", async () => {
    const r = await interruptRun([], /scenario 50\//);
    assert.equal(r.status, 2, r.stdout);
    const summary = assertValidReport(r.dir);
    // Every property that applies passed what ran (H-BAL-1 does not: the CUP profile reports no balances).
    assert.deepEqual(summary.properties.filter((p: { verdict: string }) => p.verdict !== "pass" && p.verdict !== "n/a").map((p: { id: string }) => p.id), []);
    assert.match(r.stdout, /INTERRUPTED/);
  });

  it("SIGTERM (CI cancelling the job, docker stop, timeout) is taken as Ctrl-C: the partial report, exit 2", async () => {
    const r = await interruptRun([], /scenario 50\//, "SIGTERM");
    assert.equal(r.status, 2, r.stdout);
    assertValidReport(r.dir);
    assert.match(r.stdout, /INTERRUPTED/);
  });

  it("after a failure was found and shrunk: the failure is reported with its files, exit 1", async () => {
    const r = await interruptRun(["--bug", "reversal-ignored"], /FAIL H-REV-1 +shrunk/);
    assert.equal(r.status, 1, r.stdout);
    const summary = assertValidReport(r.dir);
    assert.equal(summary.properties.find((p: { id: string }) => p.id === "H-REV-1").verdict, "fail");
    for (const f of ["H-REV-1.md", "H-REV-1.scenario.json", "H-REV-1.trace.jsonl"]) assert.ok(readdirSync(r.dir).includes(f), f);
  });
});
