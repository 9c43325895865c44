import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ISOCONF_BIN } from "../helpers/builtCli.js";

/** Runs the CLI in `cwd`, where an isoconf.config.json may lie. */
function runIn(cwd: string, args: string[]) {
  const r = spawnSync(process.execPath, [ISOCONF_BIN, ...args], { cwd, encoding: "utf8", timeout: 60_000 });
  return { status: r.status, out: r.stdout + r.stderr };
}

describe("isoconf run with a configuration file and waivers", function () {
  this.timeout(120_000);

  it("reads isoconf.config.json; a waived failure does not fail the run, a stale waiver does", () => {
    const dir = mkdtempSync(join(tmpdir(), "isoconf-config-"));
    const write = (c: unknown) => writeFileSync(join(dir, "isoconf.config.json"), JSON.stringify(c));
    write({ runs: 100, seed: 42, bug: "reversal-ignored", only: ["H-REV-1"], out: "rep", waivers: [{ id: "H-REV-1", reason: "known issue BUG-123, fixed in 4.2" }] });
    const waived = runIn(dir, ["run", "host", "--quiet"]);
    assert.equal(waived.status, 0, waived.out);
    assert.match(waived.out, /WAIV H-REV-1 .*waived: known issue BUG-123/);
    assert.match(waived.out, /0 failed, 0 flaky, 0 untested, 0 n\/a, 11 skipped, 1 waived/);
    assert.match(readFileSync(join(dir, "rep", "junit.xml"), "utf8"), /<skipped message="waived: known issue BUG-123, fixed in 4.2"\/>/);
    const flagWins = runIn(dir, ["run", "host", "--quiet", "--bug", "wrong-stan-echo", "--only", "H-ECHO-1"]);
    assert.equal(flagWins.status, 1, "the flags override the file: H-ECHO-1 fails and is not waived");
    write({ runs: 10, out: "rep2", waivers: [{ id: "H-FMT-1", reason: "left over from an old firmware" }] });
    const stale = runIn(dir, ["run", "host", "--quiet"]);
    assert.equal(stale.status, 1, stale.out);
    assert.match(stale.out, /waived but passing \(remove the waiver\): H-FMT-1/);
  });

  it("names the bad key of a configuration file, exit 2", () => {
    const dir = mkdtempSync(join(tmpdir(), "isoconf-config-"));
    writeFileSync(join(dir, "mine.json"), JSON.stringify({ runz: 10, waivers: [{ id: "H-REV-1", reason: "short" }] }));
    const r = runIn(dir, ["run", "host", "--config", "mine.json"]);
    assert.equal(r.status, 2);
    assert.match(r.out, /mine\.json: .*waivers\.0\.reason: a written reason of at least 10 characters/);
    assert.match(r.out, /Unrecognized key: "runz"/);
  });
});
