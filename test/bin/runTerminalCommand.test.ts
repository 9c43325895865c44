import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cardPan, type TerminalScenario } from "../../src/scenario/scenario.js";
import { runCli } from "../helpers/cli.js";

const outDir = () => mkdtempSync(join(tmpdir(), "isoconf-run-terminal-"));
const summaryOf = (dir: string) => JSON.parse(readFileSync(join(dir, "summary.json"), "utf8"));

describe("isoconf run terminal / replay", function () {
  this.timeout(120_000);

  it("passes against the in-process reference terminal and writes the same output folder as the host suite; exit 0", () => {
    const dir = outDir();
    const r = runCli(["run", "terminal", "--runs", "60", "--seed", "7", "--out", dir, "--quiet"]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const s = summaryOf(dir);
    assert.equal(s.suite, "terminal");
    assert.equal(s.target, "in-process reference terminal");
    assert.deepEqual(s.verdicts, { pass: 8, fail: 0, flaky: 0, untested: 0, "n/a": 0, skipped: 0 });
    assert.match(r.stdout, /8 passed, 0 failed/);
    for (const name of ["summary.json", "results.tap", "junit.xml", "index.html"]) assert.ok(readdirSync(dir).includes(name), name);
  });

  it("finds a seeded bug: exit 1, a masked replayable report; replay reproduces it (exit 1), and passes on a terminal without it", () => {
    const dir = outDir();
    const r = runCli(["run", "terminal", "--bug", "no-reversal", "--only", "T-REV-1", "--runs", "100", "--seed", "3", "--out", dir, "--quiet"]);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /FAIL T-REV-1/);
    assert.match(r.stdout, /1\. purchase\(1\.00\)\+drop\n {2}2\. purchase\(1\.00\)\n/);
    const file = JSON.parse(readFileSync(join(dir, "T-REV-1.scenario.json"), "utf8"));
    assert.deepEqual(file.target, { kind: "reference", bug: "no-reversal" });
    const scenario = file.scenario as TerminalScenario;
    assert.equal(scenario.role, "terminal");
    const pans = scenario.steps.flatMap((st) => (st.card ? [cardPan(st.card)] : []));
    assert.ok(pans.length > 0);
    for (const name of readdirSync(dir)) {
      const text = readFileSync(join(dir, name), "utf8");
      for (const pan of pans) assert.ok(!text.includes(pan), `${name} shows a PAN in clear`);
    }
    const replay = runCli(["replay", join(dir, "T-REV-1.scenario.json")]);
    assert.equal(replay.status, 1, replay.stdout + replay.stderr);
    assert.match(replay.stdout, /FAIL T-REV-1[\s\S]*the failure reproduces/);
    const fixed = runCli(["replay", join(dir, "T-REV-1.scenario.json"), "--bug", "accept-wrong-tid"]);
    assert.equal(fixed.status, 0, fixed.stdout + fixed.stderr);
    assert.match(fixed.stdout, /T-REV-1: passes now/);
  });

  it("refuses flags that do not fit with exit 2", () => {
    const cases: [string[], RegExp][] = [
      [["run", "terminal", "--bug", "nonsense"], /^isoconf: the reference terminal has no bug "nonsense": it has no-reversal, /],
      [["run", "terminal", "--ecr", "/dev/null"], /--ecr steers a terminal of your own: give --listen, --target or --serial too/],
      [["run", "terminal", "--listen", "tcp://127.0.0.1:0"], /name how the kit steers the terminal/],
      [["run", "terminal", "--listen", "tcp://127.0.0.1:0", "--serial", "/dev/null"], /give one of --listen .* not several/],
      [["run", "terminal", "--listen", "tcp://127.0.0.1:0", "--control", "ecr"], /--control ecr needs --ecr PATH/],
      [["run", "terminal", "--listen", "tcp://127.0.0.1:0", "--control", "exec", "--exec-sale", "x {nope}"], /uses \{nope\}: the placeholders are \{amount\}/],
      [["run", "terminal", "--listen", "tcp://127.0.0.1:0", "--bug", "no-reversal", "--control", "passive"], /--bug applies to the built-in reference terminal only/],
      [["run", "terminal", "--reversal-attempts", "0"], /--reversal-attempts must be a whole number above 0/],
      [["run", "host", "--tid", "TERM0002"], /--tid describes the terminal role \(run terminal\), not run host/],
    ];
    for (const [args, pattern] of cases) {
      const r = runCli(args);
      assert.equal(r.status, 2, `${args.join(" ")}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, pattern);
    }
  });

  it("the scenario file records the terminal's reversal attempts, and replay judges by them", () => {
    const dir = outDir();
    const r = runCli(["run", "terminal", "--bug", "reversal-no-retry", "--reversal-attempts", "2", "--only", "T-REV-4", "--runs", "100", "--seed", "42", "--out", dir, "--quiet"]);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    const file = join(dir, "T-REV-4.scenario.json");
    assert.equal(JSON.parse(readFileSync(file, "utf8")).reversalAttempts, 2);
    assert.equal(summaryOf(dir).config.reversalAttempts, 2);
    const replay = runCli(["replay", file]);
    assert.equal(replay.status, 1, replay.stdout + replay.stderr);
    // A terminal configured for one attempt owes no repeat: judged by that, the same trace passes.
    const once = runCli(["replay", file, "--reversal-attempts", "1"]);
    assert.equal(once.status, 0, once.stdout + once.stderr);
  });
});
