import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MASKING_OFF } from "../../reports/report.js";
import { runCli, runCliAsync } from "../helpers/cli.js";
import { writeShards } from "../helpers/shardFolders.js";

/** `isoconf merge` as a user runs it: the shards' folders in, one report and the whole run's exit code out. */
describe("isoconf merge", function () {
  this.timeout(120_000);
  const shardsOf = async (o: { seed?: number; only?: number[]; waivers?: Map<string, string> } = {}) =>
    // Seed 7 (seed 5 until the race faults, whose shards then fail H-REV-2 too): every shard fails H-DUP-1 and H-SET-1, nothing else.
    (await writeShards({ runs: 40, seed: o.seed ?? 7, count: 3, bug: "double-post-duplicate", only: o.only, waivers: o.waivers })).map((s) => s.folder);
  const out = () => join(mkdtempSync(join(tmpdir(), "isoconf-merge-cli-")), "merged");
  let folders: string[];

  before(async () => {
    folders = await shardsOf();
  });

  it("joins the shards into one report, exit 1 for the failure; its scenario file replays and still fails", () => {
    const dir = out();
    const r = runCli(["merge", ...folders, "--out", dir]);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /^merged 3 shards of seed 7: /);
    assert.match(r.stdout, /^FAIL H-DUP-1 /m);
    assert.match(r.stdout, /\(40 scenarios, /);
    const summary = JSON.parse(readFileSync(join(dir, "summary.json"), "utf8"));
    assert.deepEqual(summary.mergedFrom, { count: 3, folders });
    const replay = runCli(["replay", join(dir, "H-DUP-1.scenario.json")]);
    assert.equal(replay.status, 1, replay.stdout + replay.stderr);
  });

  it("without --out, a new isoconf-report/<timestamp>-merged of its own; a refused merge makes no folder", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "isoconf-merge-cwd-"));
    const r = await runCliAsync(["merge", ...folders], undefined, cwd);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    const [made] = readdirSync(join(cwd, "isoconf-report"));
    assert.match(made, /^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z-merged$/);
    assert.ok(readdirSync(join(cwd, "isoconf-report", made)).includes("summary.json"));
    const empty = mkdtempSync(join(tmpdir(), "isoconf-merge-cwd-"));
    const refused = await runCliAsync(["merge", folders[0], folders[0]], undefined, empty);
    assert.equal(refused.status, 2, refused.stdout + refused.stderr);
    assert.deepEqual(readdirSync(empty), []);
  });

  it("waived failures pass the merged run; a waiver of a property that passed in every shard is stale (exit 1)", async () => {
    const waived = await shardsOf({ waivers: new Map([["H-DUP-1", "LAB-1"], ["H-SET-1", "LAB-2"]]) });
    const ok = runCli(["merge", ...waived, "--out", out()]);
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    const stale = await shardsOf({ waivers: new Map([["H-DUP-1", "LAB-1"], ["H-SET-1", "LAB-2"], ["H-ECHO-1", "LAB-3"]]) });
    const dir = out();
    const r = runCli(["merge", ...stale, "--out", dir]);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /waived but passing \(remove the waiver\): H-ECHO-1$/m);
    const entries = JSON.parse(readFileSync(join(dir, "summary.json"), "utf8")).properties;
    assert.deepEqual(
      entries.filter((p: { waiver?: string }) => p.waiver).map((p: { id: string; verdict: string; waivedVerdict: string }) => [p.id, p.verdict, p.waivedVerdict]),
      [["H-ECHO-1", "waived", "pass"], ["H-DUP-1", "waived", "fail"], ["H-SET-1", "waived", "fail"]],
    );
  });

  it("--no-mask over shards some of which were masked: says masking is off and names the shards that stay masked; colour as run", async () => {
    const clear = (await writeShards({ runs: 40, seed: 7, count: 3, bug: "double-post-duplicate", only: [2, 3], mask: false })).map((s) => s.folder);
    const r = runCli(["merge", folders[0], ...clear, "--out", out(), "--no-mask"], "", 30_000, { FORCE_COLOR: "1", NO_COLOR: undefined });
    assert.equal(r.status, 1, r.stdout + r.stderr);
    const lines = r.stdout.replace(/\x1b\[\d+m/g, "").trimEnd().split("\n");
    assert.deepEqual(lines.slice(-2), [MASKING_OFF, `card data from ${folders[0]} stays masked: that shard was written masked`]);
    assert.match(r.stdout, /^\x1b\[31mFAIL\x1b\[39m H-DUP-1 /m, "coloured like run's summary");
    assert.doesNotMatch(runCli(["merge", ...folders, "--out", out()], "", 30_000, { FORCE_COLOR: undefined }).stdout, /\x1b\[|masking is off|stays masked/, "not on a pipe, and masked");
  });

  it("a missing shard, a shard of another seed, a corrupt summary.json: one line naming the folder, exit 2", async () => {
    const [other] = await shardsOf({ seed: 6, only: [2] });
    const corrupt = join(mkdtempSync(join(tmpdir(), "isoconf-merge-cli-")), "shard-2");
    cpSync(folders[1], corrupt, { recursive: true });
    writeFileSync(join(corrupt, "summary.json"), "{}");
    const cases: Array<[string[], RegExp]> = [
      [[folders[0], folders[2]], /^isoconf: shard 2 of 3 missing: given .*shard-1 \(shard 1\/3\), .*shard-3 \(shard 3\/3\)\n$/],
      [[folders[0], other, folders[2]], /^isoconf: .*shard-1 and .*shard-2 are not shards of one run: seed is 7 in the one, 6 in the other\n$/],
      [[folders[0], corrupt, folders[2]], /^isoconf: .*shard-2\/summary\.json: format is undefined: expected "isoconf-summary\/1"\n$/],
      [[folders[0], join(folders[1], "nope"), folders[2]], /^isoconf: .*shard-2\/nope: no such folder\n$/],
    ];
    for (const [given, pattern] of cases) {
      const r = runCli(["merge", ...given, "--out", out()]);
      assert.equal(r.status, 2, r.stdout + r.stderr);
      assert.match(r.stderr, pattern);
    }
  });

  it("--help shows examples", () => {
    const r = runCli(["merge", "--help"]);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /Examples:\n\s+isoconf merge /);
  });
});
