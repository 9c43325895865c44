import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cardPan, type HostScenario } from "../../src/scenario/scenario.js";
import { readTraceJsonl } from "../../src/trace/traceFile.js";
import { runCli, runCliAsync } from "../helpers/cli.js";
import { startHostProcess, stop } from "../helpers/simHostProcess.js";

const outDir = () => mkdtempSync(join(tmpdir(), "isoconf-run-"));
const summaryOf = (dir: string) => JSON.parse(readFileSync(join(dir, "summary.json"), "utf8"));

describe("isoconf run host / replay", function () {
  this.timeout(120_000);

  it("passes against the built-in reference host and writes summary.json; exit 0", () => {
    const dir = outDir();
    const r = runCli(["run", "host", "--runs", "40", "--seed", "7", "--out", dir, "--quiet"]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const s = summaryOf(dir);
    assert.equal(s.format, "isoconf-summary/1");
    // H-BAL-1 is n/a: the built-in CUP profile reports no balances.
    assert.deepEqual(s.verdicts, { pass: 11, fail: 0, flaky: 0, untested: 0, "n/a": 1, skipped: 0 });
    assert.match(r.stdout, /11 passed, 0 failed/);
  });

  it("finds a seeded bug: exit 1, a masked replayable report, and replay reproduces it (exit 1)", async () => {
    const dir = outDir();
    const r = runCli(["run", "host", "--bug", "double-post-duplicate", "--only", "H-DUP-1", "--runs", "100", "--seed", "3", "--out", dir, "--quiet"]);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /FAIL H-DUP-1/);
    assert.match(r.stdout, /replay: npx isoconf replay .*H-DUP-1\.scenario\.json/);
    const s = summaryOf(dir);
    assert.equal(s.properties.find((p: { id: string }) => p.id === "H-DUP-1").verdict, "fail");
    assert.equal(s.properties.find((p: { id: string }) => p.id === "H-REV-1").verdict, "skipped");
    const file = JSON.parse(readFileSync(join(dir, "H-DUP-1.scenario.json"), "utf8"));
    const scenario = file.scenario as HostScenario;
    const pans = scenario.steps.flatMap((st) => (st.card ? [cardPan(st.card)] : []));
    assert.ok(pans.length > 0);
    for (const name of readdirSync(dir)) {
      const text = readFileSync(join(dir, name), "utf8");
      for (const pan of pans) assert.ok(!text.includes(pan), `${name} shows a PAN in clear`);
    }
    for (const f of ["results.tap", "junit.xml", "index.html", "H-DUP-1.md"]) assert.ok(readdirSync(dir).includes(f), `${f} written`);
    const trace = await readTraceJsonl(join(dir, "H-DUP-1.trace.jsonl"));
    // The trace is masked and records the fault its scenario's step names (seed 3 shrinks to an advice repeated).
    const faults = scenario.steps.flatMap((st) => (st.fault ? [st.fault.kind] : []));
    assert.ok(faults.length > 0 && trace.header.masked && faults.every((k) => trace.events.some((e) => e.kind === "fault" && e.detail?.fault === k)), faults.join(", "));
    const replay = runCli(["replay", join(dir, "H-DUP-1.scenario.json")]);
    assert.equal(replay.status, 1, replay.stdout + replay.stderr);
    assert.match(replay.stdout, /FAIL H-DUP-1[\s\S]*the failure reproduces/);
    const fixed = runCli(["replay", join(dir, "H-DUP-1.scenario.json"), "--bug", "approve-unknown-tid"]);
    assert.equal(fixed.status, 0, "against a host without that bug the scenario passes");
  });

  // The default folder is made as the report is written; should that fail after a run that
  // passed its check before (a dangling isoconf-report link), the run's results still get written.
  it("writes the report to a temporary folder, and says so, where the default one cannot be made at the end", async () => {
    const cwd = outDir();
    symlinkSync(join(cwd, "nowhere"), join(cwd, "isoconf-report"));
    const r = await runCliAsync(["run", "host", "--runs", "3", "--seed", "1"], undefined, cwd);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const fallback = /the report goes to (\S+) instead/.exec(r.stdout + r.stderr)?.[1];
    assert.ok(fallback !== undefined, r.stdout + r.stderr);
    assert.ok(existsSync(join(fallback, "summary.json")));
    assert.match(r.stdout, new RegExp(`report: ${fallback.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/index\\.html`));
  });

  it("runs against the reference host as a separate process over TCP", async () => {
    const { child: host, url } = await startHostProcess(["--listen", "tcp://127.0.0.1:0", "--dialect", "iso87ascii"]);
    try {
      const dir = outDir();
      const r = runCli(["run", "host", "--target", url, "--dialect", "iso87ascii", "--runs", "20", "--seed", "11", "--timeout-ms", "1000", "--out", dir, "--quiet"]);
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.equal(summaryOf(dir).target, url);
    } finally {
      await stop(host);
    }
  });

  it("replay against a host that no longer answers: untested, exit 2, never 'passes now'", async () => {
    const { child: host, url } = await startHostProcess(["--listen", "tcp://127.0.0.1:0", "--bug", "double-post-duplicate"]);
    const dir = outDir();
    try {
      const r = runCli(["run", "host", "--target", url, "--only", "H-DUP-1", "--runs", "100", "--seed", "3", "--timeout-ms", "1000", "--out", dir, "--quiet"]);
      assert.equal(r.status, 1, r.stdout + r.stderr);
    } finally {
      await stop(host);
    }
    // The port the scenario file names is closed now: every request goes unanswered.
    const replay = runCli(["replay", join(dir, "H-DUP-1.scenario.json"), "--timeout-ms", "300"]);
    assert.equal(replay.status, 2, replay.stdout + replay.stderr);
    assert.match(replay.stdout, /UNTD H-DUP-1: no .+ in the replay \(the SUT did not answer: see the trace\); it has not passed/);
    assert.doesNotMatch(replay.stdout, /passes now/);
  });

  it("replay of a scenario saved without its property: the suite's properties for the dialect, exit 0 where none fails, whatever one scenario leaves untested", () => {
    const dir = outDir();
    const r = runCli(["run", "host", "--bug", "double-post-duplicate", "--only", "H-DUP-1", "--runs", "100", "--seed", "3", "--out", dir, "--quiet"]);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    const file = JSON.parse(readFileSync(join(dir, "H-DUP-1.scenario.json"), "utf8"));
    delete file.property;
    const mine = join(dir, "mine.scenario.json");
    writeFileSync(mine, JSON.stringify(file));
    const replay = runCli(["replay", mine, "--bug", "approve-unknown-tid"]);
    assert.equal(replay.status, 0, replay.stdout + replay.stderr);
    assert.match(replay.stdout, /passes now/);
    // H-BAL-1 does not apply under cup (no balances): not listed at all.
    assert.doesNotMatch(replay.stdout, /H-BAL-1/);
  });

  it("--suite runs a suite of the user's own properties", () => {
    const dir = outDir();
    const r = runCli(["run", "host", "--suite", "test/fixtures/mySuite.mjs", "--runs", "10", "--seed", "2", "--out", dir, "--quiet"]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /ok {3}LAB-TIME-1 Approvals carry the local time/);
    assert.equal(summaryOf(dir).suite, "lab");
    // A check written for an older isoconf (violations alone) stops the run with what to return.
    const old = runCli(["run", "host", "--suite", "test/fixtures/oldSuite.mjs", "--runs", "3", "--out", outDir(), "--quiet"]);
    assert.equal(old.status, 2, old.stdout + old.stderr);
    assert.match(old.stderr, /property LAB-OLD-1: check\(\) returned an array; expected \{ judged, violations \}/);
    assert.doesNotMatch(old.stderr, /internal error|\n\s+at /);
  });

  it("refuses bad flags and unreadable scenario files with exit 2", async () => {
    const cases: [string[], RegExp][] = [
      [["run", "host", "--runs", "0"], /--runs must be a whole number above 0/],
      [["run", "host", "--require-exercised", "0"], /--require-exercised must be a whole number above 0/],
      [["run", "host", "--bug", "nonsense"], /^isoconf: the reference host has no bug "nonsense": it has approve-unknown-tid, .*'isoconf sim host --bug list'.*\n$/],
      // Checked before the run, so nothing is lost; /proc once made Node's recursive mkdir spin for ever.
      [["run", "host", "--out", "README.md/x"], /^isoconf: cannot write the report to README.md\/x: .*README.md is a file, not a folder\n$/],
      [["run", "host", "--out", "/proc/nope/x"], /^isoconf: cannot write the report to \/proc\/nope\/x: cannot make \/proc\/nope \(ENOENT\)\n$/],
      [["run", "host", "--runs", "abc"], /^isoconf: --runs must be a whole number above 0, got "abc"\n$/],
      [["run", "host", "--no-bug"], /^isoconf: --bug needs a value \(there is no --no-bug\)\n$/],
      [["replay", "test/reports/golden/summary.json"], /^isoconf: test\/reports\/golden\/summary.json: this is a run's summary.json: replay takes an ID.scenario.json[^\n]*\n$/],
      [["replay", "test/fixtures/unknownBug.scenario.json"], /^isoconf: the reference host has no bug "no-such-bug"/],
      [["run", "host", "--target", "serial:/dev/ttyS0"], /a host is reached over TCP/],
      [["run", "host", "--target", "tcp://127.0.0.1:1"], /cannot reach the SUT at tcp:\/\/127.0.0.1:1/],
      [["run", "terminalx"], /Invalid values/],
      [["replay", "/nonexistent/x.scenario.json"], /cannot read the scenario file \(ENOENT\)/],
      [["run", "host", "--suite", "test/fixtures/nope.mjs"], /--suite test\/fixtures\/nope.mjs: no such file/],
      [["run", "host", "--suite", "README.md"], /--suite README.md: cannot load the module/],
      [["run", "host", "--suite", "test/fixtures/roleless.mjs"], /the suite.s role is undefined, expected "host"/],
    ];
    // Each its own process, four at a time.
    const results = [];
    for (let i = 0; i < cases.length; i += 4) results.push(...(await Promise.all(cases.slice(i, i + 4).map(([args]) => runCliAsync(args)))));
    results.forEach((r, i) => {
      const [args, pattern] = cases[i];
      assert.equal(r.status, 2, `${args.join(" ")}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, pattern);
    });
  });
});
