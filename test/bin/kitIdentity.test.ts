import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli, runCliAsync } from "../helpers/cli.js";
import { startHostProcess, stop } from "../helpers/simHostProcess.js";

const TMK = "00112233445566778899AABBCCDDEEFF";
const MERCHANT = "999888777666555";
const LAB = ["--terminals", "LAB00001", "LAB00002", "--unregistered", "LAB09999", "--merchant", MERCHANT];

const tmp = () => mkdtempSync(join(tmpdir(), "isoconf-lab-"));
/** Every file of an output folder, as text. */
const filesOf = (dir: string) => readdirSync(dir).map((name) => ({ name, text: readFileSync(join(dir, name), "utf8") }));

describe("a host with its own terminals, merchant and master key", function () {
  this.timeout(120_000);
  let host: Awaited<ReturnType<typeof startHostProcess>>;
  before(async () => {
    const registry = join(tmp(), "registry.json");
    writeFileSync(registry, JSON.stringify(["LAB00001", "LAB00002"].map((tid) => ({ tid, mid: MERCHANT, tmk: TMK }))));
    host = await startHostProcess(["--listen", "tcp://127.0.0.1:0", "--terminals", registry]);
  });
  after(() => stop(host.child));

  const run = (args: string[], out = join(tmp(), "out")) => runCliAsync(["run", "host", "--target", host.url, "--runs", "15", "--seed", "3", "--timeout-ms", "500", "--out", out, "--quiet", ...args]);

  it("passes when the kit is told them; the report shows the key's check value, never the key", async () => {
    const out = join(tmp(), "out");
    const r = await run([...LAB, "--tmk", TMK], out);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const config = JSON.parse(readFileSync(join(out, "summary.json"), "utf8")).config;
    assert.deepEqual(config.registeredTerminals, ["LAB00001", "LAB00002"]);
    assert.equal(config.merchant, MERCHANT);
    assert.match(config.tmkKcv, /^[0-9A-F]{6}$/);
    for (const f of filesOf(out)) assert.ok(!f.text.toUpperCase().includes(TMK), `${f.name} holds the master key`);
  });

  it("stops before the run (exit 2) with what to check when the host does not know the terminals or holds another key", async () => {
    const [unknown, wrongKey] = await Promise.all([run(["--tmk", TMK]), run(LAB)]);
    assert.equal(unknown.status, 2, unknown.stdout + unknown.stderr);
    assert.match(unknown.stderr, /the host refused TERM0001's sign-on with 97 \(Terminal not registered\): check --terminals/);
    assert.equal(wrongKey.status, 2, wrongKey.stdout + wrongKey.stderr);
    assert.match(wrongKey.stderr, /LAB00001's working keys from the sign-on do not check under the master key \(check value [0-9A-F]{6}\): check --tmk/);
  });

  it("stops before the run (exit 2) when a lane's terminals are not in the host's registry, saying where they come from", async () => {
    // Lane 2 of --concurrency 2 plays LAB00003 and LAB00004, which the host does not know.
    const r = await run([...LAB, "--tmk", TMK, "--concurrency", "2"]);
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /the host refused LAB0000[34]'s sign-on with 97 \(Terminal not registered\): check --terminals and --merchant against the host's registry; LAB0000[34] is a lane's, numbered on from --terminals by --concurrency \(and --shard\)/);
  });
});

describe("the kit's identity in-process, in replays, and bad values", function () {
  this.timeout(120_000);

  it("the reference host learns the kit's terminals and key; a replay needs the same key", () => {
    const out = join(tmp(), "out");
    const r = runCli(["run", "host", ...LAB, "--tmk", TMK, "--bug", "reversal-ignored", "--only", "H-REV-1", "--runs", "100", "--seed", "3", "--out", out, "--quiet"]);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    const file = join(out, "H-REV-1.scenario.json");
    const recorded = JSON.parse(readFileSync(file, "utf8"));
    assert.equal(recorded.merchant, MERCHANT);
    assert.ok(recorded.scenario.terminals.every((t: string) => t.startsWith("LAB")));
    const without = runCli(["replay", file]);
    assert.equal(without.status, 2);
    assert.match(without.stderr, new RegExp(`recorded with a master key of check value ${recorded.tmkKcv}; give that key with --tmk`));
    const withKey = runCli(["replay", file, "--tmk", TMK]);
    assert.equal(withKey.status, 1, withKey.stdout + withKey.stderr);
    assert.match(withKey.stdout, /the failure reproduces/);
  });

  it("refuses a key that is not hex, a terminal twice, and an unregistered terminal that is registered, leaving no report folder", async () => {
    // Run where nothing else runs: a refused run makes no report folder (it did, before checking).
    const cwd = tmp();
    const cases = await Promise.all([
      runCliAsync(["run", "host", "--tmk", "XYZ"], undefined, cwd),
      runCliAsync(["run", "host", "--terminals", "LAB00001", "LAB00001"], undefined, cwd),
      runCliAsync(["run", "host", "--terminals", "LAB00001", "--unregistered", "LAB00001"], undefined, cwd),
      runCliAsync(["run", "host", "--terminals", "SHORT"], undefined, cwd),
      runCliAsync(["run", "terminal", "--tid", "SHORT"], undefined, cwd),
    ]);
    assert.deepEqual(readdirSync(cwd), []);
    const expected = [/--tmk must be a DES key in hex: 16, 32 or 48 hex digits/, /--terminals names a terminal twice/, /--unregistered LAB00001 is one of --terminals/, /"SHORT" does not fit field 41 of dialect cup \(fields\[18\]: value is 5 bytes, expecting exactly 8\): give --terminals/, /"SHORT" does not fit field 41 of dialect cup .*: give --tid/];
    cases.forEach((r, i) => {
      assert.equal(r.status, 2, r.stdout + r.stderr);
      assert.match(r.stderr, expected[i]);
    });
  });
});
