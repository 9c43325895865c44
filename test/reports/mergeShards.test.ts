import { messageOf } from "../../src/trace/traceEvent.js";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mergeShardFolders, ShardMergeError, combineShards } from "../../reports/mergeShards.js";
import type { RunFolder } from "../../reports/readRunFolder.js";
import { SummaryFileError } from "../../reports/summarySchema.js";
import { type Counterexample, counterexampleOf, foundAfterOf, judgedOf, type PropertyResult, reasonOf, type SuiteResult, type Verdict } from "../../src/runner/suiteResult.js";
import { cardPan, type HostScenario } from "../../src/scenario/scenario.js";
import { readTraceJsonl, TraceFileError } from "../../src/trace/traceFile.js";
import { writeRunOutput } from "../../reports/runOutput.js";
import { cup, settingsFor, writeShards, type ShardRun } from "../helpers/shardFolders.js";
import { resolveDialect } from "../../src/iso8583/builtinDialects.js";
import { dialectDigest } from "../../src/iso8583/dialect.js";

/**
 * `isoconf merge`'s core: shards of one host-suite run (seed 4, 40 scenarios, 3 shards, the
 * reference host double-posting duplicates) written as `run --shard` writes them, then merged.
 * With this seed shard 1 finds neither H-DUP-1 nor H-SET-1, shards 2 and 3 both fail them, each
 * shrunk to one step with one fault: a tie, which goes to shard 2 (shard 3 fails H-REV-2 too).
 * Earlier seeds stopped doing this as faults were added: 5 (before split, pipelined, header_only
 * and hostile_amount), 48 (before advices and the boundary amounts), 55 (before advices met the
 * limit rule).
 */
const RUNS = 40;
const SEED = 4;
const BUG = "double-post-duplicate";

const tmp = () => mkdtempSync(join(tmpdir(), "isoconf-merge-"));
const summaryOf = (dir: string) => JSON.parse(readFileSync(join(dir, "summary.json"), "utf8"));
const prop = (r: SuiteResult, id: string) => r.properties.find((p) => p.id === id)!;

describe("reports/mergeShards", function () {
  this.timeout(120_000);
  let shards: ShardRun[];
  let folders: string[];

  before(async () => {
    shards = await writeShards({ runs: RUNS, seed: SEED, count: 3, bug: BUG });
    folders = shards.map((s) => s.folder);
  });

  it("the seed does what this test needs: shards 2 and 3 fail H-DUP-1 and H-SET-1, shard 2 at least as simply (a tie goes to the lower shard)", () => {
    assert.deepEqual(shards.map((s) => prop(s.result, "H-DUP-1").verdict), ["pass", "fail", "fail"]);
    const steps = shards.slice(1).map((s) => counterexampleOf(prop(s.result, "H-SET-1"))!.scenario.steps.length);
    assert.ok(steps[0] <= steps[1], `H-SET-1 in ${steps.join(" and ")} steps`);
  });

  it("merges verdicts and figures: fail over pass, the smallest counterexample with its shard's figures", async () => {
    const out = join(tmp(), "merged");
    // In any order: the merge sorts them by shard.
    const merged = await mergeShardFolders([folders[2], folders[0], folders[1]], { out });
    const r = merged.result;
    const results = shards.map((s) => s.result);
    assert.equal(r.shard, undefined, "a merged result is a whole run");
    assert.equal(r.seed, SEED);
    assert.equal(r.scenarios, RUNS, "every scenario of the run, once");
    assert.equal(r.executions, results.reduce((n, x) => n + x.executions, 0));
    assert.equal(r.requests, results.reduce((n, x) => n + x.requests, 0));
    assert.equal(r.durationMs, Math.max(...results.map((x) => x.durationMs)));
    assert.equal(r.interrupted, false);
    const expected = (id: string): Verdict => {
      const vs = results.map((x) => prop(x, id).verdict);
      return (["fail", "flaky", "pass", "untested", "n/a", "skipped"] as const).find((v) => vs.includes(v))!;
    };
    for (const p of r.properties) assert.equal(p.verdict, expected(p.id), p.id);

    const fromShard2 = (id: string) => prop(shards[1].result, id);
    for (const id of ["H-DUP-1", "H-SET-1"]) {
      const [got, want] = [prop(r, id), fromShard2(id)];
      assert.deepEqual(counterexampleOf(got)!.scenario, counterexampleOf(want)!.scenario, `${id}: shard 2's scenario`);
      assert.equal(foundAfterOf(got), foundAfterOf(want));
      assert.equal(counterexampleOf(got)!.originalSteps, counterexampleOf(want)!.originalSteps);
      assert.equal(counterexampleOf(got)!.shrinkRuns, counterexampleOf(want)!.shrinkRuns);
    }

    const summary = summaryOf(out);
    assert.equal(summary.shard, undefined);
    assert.deepEqual(summary.mergedFrom, { count: 3, folders });
    assert.equal(summary.startedAt, "2026-01-15T09:01:00.000Z", "the earliest shard's start");
    assert.deepEqual(summary.figures, { scenarios: RUNS, executions: r.executions, requests: r.requests });
    assert.equal(summary.config.runs, RUNS);
    assert.equal(summary.masked, true);
  });

  it("copies the winning shard's files unchanged: a masked trace masked again is the same trace", async () => {
    const out = join(tmp(), "merged");
    await mergeShardFolders(folders, { out });
    for (const id of ["H-DUP-1", "H-SET-1"]) {
      assert.equal(readFileSync(join(out, `${id}.scenario.json`), "utf8"), readFileSync(join(folders[1], `${id}.scenario.json`), "utf8"));
      const [merged, shard] = [await readTraceJsonl(join(out, `${id}.trace.jsonl`)), await readTraceJsonl(join(folders[1], `${id}.trace.jsonl`))];
      assert.equal(merged.header.masked, true);
      assert.deepEqual(merged.events, shard.events, `${id}: the trace as shard 2 wrote it`);
    }
  });

  it("masks shards written with --no-mask: no card number of the run in any merged file; --no-mask leaves them", async () => {
    const clear = await writeShards({ runs: RUNS, seed: SEED, count: 3, bug: BUG, mask: false });
    const pans = new Set<string>();
    for (const s of clear) {
      for (const p of s.result.properties) {
        const cx = counterexampleOf(p);
        if (!cx) continue;
        for (const st of (cx.scenario as HostScenario).steps) if (st.card) pans.add(cardPan(st.card));
        for (const e of cx.trace) if (messageOf(e)?.fields["2"]) pans.add(messageOf(e)!.fields["2"]);
      }
    }
    assert.ok(pans.size > 0, "the failing scenarios carry cards");
    const inClear = (dir: string) => readdirSync(dir).flatMap((name) => [...pans].filter((pan) => readFileSync(join(dir, name), "utf8").includes(pan)).map((pan) => `${name}: ${pan}`));
    assert.ok(inClear(clear[1].folder).length > 0, "the unmasked shard holds them");

    const masked = join(tmp(), "masked");
    const m = await mergeShardFolders(clear.map((s) => s.folder), { out: masked });
    assert.equal(m.settings.mask, true);
    assert.deepEqual(inClear(masked), []);
    assert.equal(summaryOf(masked).masked, true);

    const open = join(tmp(), "open");
    const o = await mergeShardFolders(clear.map((s) => s.folder), { out: open, mask: false });
    assert.equal(summaryOf(open).masked, false);
    assert.ok(inClear(open).length > 0);
    assert.deepEqual(o.stillMasked, []);

    // Shard 1 written masked, 2 and 3 in clear: masking is off, and the merge names the shard whose data stays masked.
    const mixed = join(tmp(), "mixed");
    const x = await mergeShardFolders([folders[0], clear[1].folder, clear[2].folder], { out: mixed, mask: false });
    assert.equal(x.settings.mask, false);
    assert.equal(summaryOf(mixed).masked, false);
    assert.deepEqual(x.stillMasked, [folders[0]]);
  });

  it("--no-mask over shards that were all masked still says masked: the data is", async () => {
    const out = join(tmp(), "merged");
    const m = await mergeShardFolders(folders, { out, mask: false });
    assert.equal(m.settings.mask, true);
    assert.equal(summaryOf(out).masked, true);
    assert.deepEqual(m.stillMasked, [], "the report says masked: nothing to add");
  });

  it("records --max-steps, --only and --skip when given, and merges shards that agree on them and on the waivers", async () => {
    const waivers = new Map([["H-DUP-1", "known: LAB-7"]]);
    const settings = { maxSteps: 5, skip: ["H-LIVE"] };
    const two = [
      ...(await writeShards({ runs: 10, seed: SEED, count: 2, bug: BUG, only: [1], waivers, settings: { ...settings, only: ["H-DUP", "H-SET"] } })),
      // --only in another order is the same selection.
      ...(await writeShards({ runs: 10, seed: SEED, count: 2, bug: BUG, only: [2], waivers, settings: { ...settings, only: ["H-SET", "H-DUP"] } })),
    ];
    assert.deepEqual(
      ["maxSteps", "only", "skip"].map((k) => summaryOf(two[0].folder).config[k]),
      [5, ["H-DUP", "H-SET"], ["H-LIVE"]],
    );
    const out = join(tmp(), "merged");
    const m = await mergeShardFolders(two.map((s) => s.folder), { out });
    assert.deepEqual([m.settings.maxSteps, m.settings.only, m.settings.skip], [5, ["H-DUP", "H-SET"], ["H-LIVE"]]);
    const { config } = summaryOf(out);
    assert.deepEqual([config.maxSteps, config.only, config.skip], [5, ["H-DUP", "H-SET"], ["H-LIVE"]]);
    assert.deepEqual([...m.settings.waivers], [["H-DUP-1", "known: LAB-7"]]);
    // Absent, they stay absent: summaries keep their shape (the golden summary.json checks it byte for byte).
    assert.deepEqual(Object.keys(summaryOf(folders[0]).config), ["runs", "responseTimeoutMs", "requireExercised", "registeredTerminals", "target"]);
  });

  describe("refuses what is not the shards of one run, naming the folders", () => {
    const out = () => join(tmp(), "merged");
    const rejects = (fs: string[], error: new (...a: never[]) => Error, pattern: RegExp) =>
      assert.rejects(mergeShardFolders(fs, { out: out() }), (e: Error) => {
        assert.ok(e instanceof error, `${e.name}: ${e.message}`);
        assert.match(e.message, pattern);
        return true;
      });

    it("a missing shard", () => rejects([folders[0], folders[2]], ShardMergeError, /shard 2 of 3 missing: given .*shard-1 \(shard 1\/3\), .*shard-3 \(shard 3\/3\)/));

    it("a shard given twice", () => rejects([folders[0], folders[1], folders[1], folders[2]], ShardMergeError, /shard-2 and .*shard-2 are both shard 2\/3/));

    it("a shard of another seed", async () => {
      const [other] = await writeShards({ runs: RUNS, seed: SEED + 1, count: 3, only: [2] });
      await rejects([folders[0], other.folder, folders[2]], ShardMergeError, new RegExp(`shard-1 and .*shard-2 are not shards of one run: seed is ${SEED} in the one, ${SEED + 1} in the other`));
    });

    it("a shard of another split or another bug", async () => {
      const [half] = await writeShards({ runs: RUNS, seed: SEED, count: 2, only: [2], bug: BUG });
      await rejects([folders[0], half.folder, folders[2]], ShardMergeError, /shard count is 3 in the one, 2 in the other/);
      const [bugless] = await writeShards({ runs: RUNS, seed: SEED, count: 3, only: [2] });
      await rejects([folders[0], bugless.folder, folders[2]], ShardMergeError, /target is "in-process reference host with bug double-post-duplicate" in the one, "in-process reference host" in the other/);
    });

    it("a shard of another isoconf version, --max-steps, --only or --skip, or other waivers", async () => {
      const summary = summaryOf(folders[1]);
      const variant = async (edit: (s: any) => void) => {
        const copy = join(tmp(), "shard-2");
        cpSync(folders[1], copy, { recursive: true });
        const changed = structuredClone(summary);
        edit(changed);
        writeFileSync(join(copy, "summary.json"), JSON.stringify(changed));
        return [folders[0], copy, folders[2]];
      };
      const one = (what: string, a: string, b: string) => new RegExp(`shard-1 and .*shard-2 are not shards of one run: ${what} is ${a} in the one, ${b} in the other`);
      await rejects(await variant((s) => (s.version = "0.0.1")), ShardMergeError, one("version", `"${summary.version}"`, '"0.0.1"'));
      await rejects(await variant((s) => (s.config.maxSteps = 5)), ShardMergeError, one("config.maxSteps", "undefined", "5"));
      await rejects(await variant((s) => (s.config.only = ["H-REV"])), ShardMergeError, one("config.only", "undefined", '\\["H-REV"\\]'));
      await rejects(await variant((s) => (s.config.skip = ["H-REV"])), ShardMergeError, one("config.skip", "undefined", '\\["H-REV"\\]'));
      const waive = (s: any) => {
        const p = s.properties.find((x: { id: string }) => x.id === "H-DUP-1");
        Object.assign(p, { waivedVerdict: p.verdict, verdict: "waived", waiver: "known" });
      };
      await rejects(await variant(waive), ShardMergeError, one("waivers", "\\{\\}", '\\{"H-DUP-1":"known"\\}'));
    });

    it("a whole run, or a merged report", async () => {
      const whole = out();
      const { shard: _, ...result } = shards[0].result;
      await writeRunOutput(whole, result, cup, settingsFor(RUNS, BUG, true, new Date()));
      await rejects([whole], ShardMergeError, /is a whole run, not a shard: its summary.json has no shard \(merge joins the folders of 'isoconf run --shard i\/n'\)/);
      const merged = out();
      await mergeShardFolders(folders, { out: merged });
      await rejects([merged], ShardMergeError, /is a merged report already, not a shard/);
    });

    it("a folder that is not there, or has no summary.json", async () => {
      await rejects([folders[0], "no/such/folder", folders[2]], SummaryFileError, /no\/such\/folder: no such folder/);
      await rejects([tmp()], SummaryFileError, /summary\.json: no such file \(is this an isoconf output folder\?\)/);
    });

    it("a corrupt summary.json: not JSON, or a key of the wrong kind, named", async () => {
      const copy = join(tmp(), "shard-2");
      cpSync(folders[1], copy, { recursive: true });
      writeFileSync(join(copy, "summary.json"), '{"format": "isoconf-summary/1", ');
      await rejects([folders[0], copy, folders[2]], SummaryFileError, /shard-2\/summary\.json: not valid JSON/);
      const summary = summaryOf(folders[1]);
      summary.figures.scenarios = "thirteen";
      summary.properties[0].verdict = "great";
      writeFileSync(join(copy, "summary.json"), JSON.stringify(summary));
      await rejects([folders[0], copy, folders[2]], SummaryFileError, /shard-2\/summary\.json: figures\.scenarios: .*number.*; properties\.0\.verdict: /);
    });

    it("a property without what its verdict needs, or a counterexample on a pass: named", async () => {
      const copy = join(tmp(), "shard-2");
      cpSync(folders[1], copy, { recursive: true });
      const summary = summaryOf(folders[1]);
      const failing = summary.properties.find((p: { verdict: string }) => p.verdict === "fail");
      const edited = (edit: (s: any) => void) => {
        const s = structuredClone(summary);
        edit(s);
        writeFileSync(join(copy, "summary.json"), JSON.stringify(s));
        return [folders[0], copy, folders[2]];
      };
      await rejects(edited((s) => delete s.properties.find((p: { id: string }) => p.id === failing.id).foundAfter), SummaryFileError, new RegExp(`shard-2/summary\\.json: property ${failing.id} is fail without its foundAfter`));
      await rejects(edited((s) => (s.properties.find((p: { id: string }) => p.id === failing.id).verdict = "pass")), SummaryFileError, new RegExp(`property ${failing.id} is pass and has a counterexample: only a failure or a flake has one`));
      // A pass stands on how often its rule applied: one written without it cannot be merged.
      const passing = summary.properties.find((p: { verdict: string }) => p.verdict === "pass");
      await rejects(edited((s) => delete s.properties.find((p: { id: string }) => p.id === passing.id).judged), SummaryFileError, new RegExp(`property ${passing.id} is pass without its judged \\(how often its rule applied`));
    });

    it("a counterexample's trace file gone", async () => {
      const copy = join(tmp(), "shard-3");
      cpSync(folders[2], copy, { recursive: true });
      rmSync(join(copy, "H-DUP-1.trace.jsonl"));
      await rejects([folders[0], folders[1], copy], TraceFileError, /shard-3\/H-DUP-1\.trace\.jsonl/);
    });

    it("an output folder that is one of the shards", () => assert.rejects(mergeShardFolders(folders, { out: folders[1] }), /would overwrite the shard in .*shard-2/));
  });

  describe("the dialect: a built-in one by its name, a dialect of your own by --dialect FILE", () => {
    let acmeShard: string;
    let acmeFile: string;
    let labCupShard: string;
    let labCupFile: string;
    before(async () => {
      // A passing shard (no counterexample, so no trace file to name the dialect), said to be under "acme".
      const [only] = await writeShards({ runs: 5, seed: 1, count: 1 });
      const table = JSON.parse(readFileSync(new URL("../../src/iso8583/dialects/cup.json", import.meta.url), "utf8"));
      acmeFile = join(tmp(), "acme.json");
      writeFileSync(acmeFile, JSON.stringify({ ...table, dialect: "acme" }));
      const summary = summaryOf(only.folder);
      summary.dialect = "acme";
      summary.dialectDigest = dialectDigest(resolveDialect(acmeFile));
      writeFileSync(join(only.folder, "summary.json"), JSON.stringify(summary));
      acmeShard = only.folder;
      // A lab's own "cup": the built-in one's name, one field's description changed.
      labCupFile = join(tmp(), "lab-cup.json");
      writeFileSync(labCupFile, JSON.stringify({ ...table, fields: table.fields.map((f: { description?: string }, i: number) => (i === 0 ? { ...f, description: "PAN (lab build)" } : f)) }));
      const [second] = await writeShards({ runs: 5, seed: 1, count: 1 });
      const labSummary = summaryOf(second.folder);
      labSummary.dialectDigest = dialectDigest(resolveDialect(labCupFile));
      writeFileSync(join(second.folder, "summary.json"), JSON.stringify(labSummary));
      labCupShard = second.folder;
    });

    it("a dialect named like a built-in one but with other fields needs its file, and only that file", async () => {
      await assert.rejects(mergeShardFolders([labCupShard], { out: join(tmp(), "m") }), /a dialect named "cup" whose fields differ from the built-in one: give its file with --dialect FILE/);
      const m = await mergeShardFolders([labCupShard], { out: join(tmp(), "m"), dialect: labCupFile });
      assert.equal(m.dialect.name, "cup");
      await assert.rejects(mergeShardFolders([labCupShard], { out: join(tmp(), "m"), dialect: "cup" }), /--dialect cup is not the "cup" the shards ran under: its fields differ/);
    });

    it("without --dialect, a dialect that is not built in is an error saying to give its file", () =>
      assert.rejects(mergeShardFolders([acmeShard], { out: join(tmp(), "m") }), /dialect "acme", which is not built in .*: give its file with --dialect FILE/));

    it("with its file, the merge runs; with another dialect, it says which", async () => {
      const m = await mergeShardFolders([acmeShard], { out: join(tmp(), "m"), dialect: acmeFile });
      assert.equal(m.dialect.name, "acme");
      await assert.rejects(mergeShardFolders([acmeShard], { out: join(tmp(), "m"), dialect: "iso87ascii" }), /--dialect iso87ascii is dialect "iso87ascii": the shards ran under "acme"/);
    });
  });

  describe("combineShards: the rules, on results made by hand", () => {
    const base = { title: "t", requirement: "r", reference: "x" };
    const step = (fault: boolean) => ({ op: "echo" as const, terminal: 0, ...(fault ? { fault: { kind: "drop" as const } } : {}) });
    const cx = (steps: number, faults: number, shrinkRuns: number) => ({
      scenario: { role: "host" as const, terminals: ["T1"], steps: Array.from({ length: steps }, (_, i) => step(i < faults)) },
      trace: [],
      violations: [],
      originalSteps: 9,
      shrinkRuns,
      shrinkMs: 1,
    });
    const run = (index: number, properties: PropertyResult[], o: { interrupted?: boolean; waivers?: [string, string][] } = {}): RunFolder =>
      ({
        folder: `s${index}`,
        summary: {} as RunFolder["summary"],
        masked: true,
        waivers: new Map(o.waivers ?? []),
        result: { suite: "host", dialect: "cup", target: "t", seed: 1, scenarios: 10 + index, executions: 20, requests: 30, durationMs: 100 * index, interrupted: o.interrupted ?? false, requireExercised: 2, shard: { index, count: 3 }, properties },
      }) as RunFolder;
    // Results made by hand, of any verdict with any of the keys a verdict may carry.
    const p = (id: string, verdict: Verdict, extra: { reason?: string; foundAfter?: number; counterexample?: Counterexample; judged?: number } = {}) =>
      ({ id, ...base, judges: "answers", verdict, ...(verdict === "skipped" || verdict === "n/a" ? {} : { judged: 2 }), ...extra }) as PropertyResult;

    it("fail > flaky > pass > untested > n/a > skipped; skipped only when every shard skipped; the smallest counterexample, the lower shard on a tie", () => {
      // checkShards has made sure the shards' waivers agree.
      const w: [string, string][] = [["D", "why"], ["E", "late"]];
      const { result, waivers } = combineShards([
        run(1, [p("A", "pass"), p("B", "skipped", { reason: "r1" }), p("C", "fail", { foundAfter: 4, counterexample: cx(3, 0, 7) }), p("D", "skipped", { reason: "s" }), p("E", "fail", { foundAfter: 2, counterexample: cx(2, 1, 5) }), p("F", "untested", { judged: 1, reason: "1" }), p("G", "untested", { judged: 0, reason: "0" }), p("H", "n/a", { reason: "no settlement" })], { waivers: w }),
        run(2, [p("A", "flaky", { reason: "once", foundAfter: 3, counterexample: cx(1, 0, 0) }), p("B", "pass"), p("C", "flaky", { reason: "f", foundAfter: 1, counterexample: cx(1, 0, 0) }), p("D", "skipped", { reason: "s" }), p("E", "fail", { foundAfter: 6, counterexample: cx(2, 0, 8) }), p("F", "untested", { judged: 1, reason: "1" }), p("G", "untested", { judged: 1, reason: "1" }), p("H", "n/a", { reason: "no settlement" })], { interrupted: true, waivers: w }),
        run(3, [p("A", "pass"), p("B", "skipped", { reason: "r3" }), p("C", "fail", { foundAfter: 9, counterexample: cx(2, 2, 11) }), p("D", "skipped", { reason: "s" }), p("E", "fail", { foundAfter: 1, counterexample: cx(2, 0, 3) }), p("F", "untested", { judged: 0, reason: "0" }), p("G", "skipped", { reason: "s" }), p("H", "n/a", { reason: "no settlement" })], { waivers: w }),
      ]);
      const by = new Map(result.properties.map((x) => [x.id, x]));
      assert.deepEqual(result.properties.map((x) => x.verdict), ["flaky", "pass", "fail", "skipped", "fail", "pass", "untested", "n/a"]);
      // How often a rule applied adds up over the shards: 1 + 1 reaches the 2 required, 0 + 1 does not.
      assert.deepEqual([judgedOf(by.get("F")!), judgedOf(by.get("G")!)], [2, 1]);
      assert.equal(reasonOf(by.get("G")!), "exercised 1 time in 36 scenarios, fewer than the 2 required");
      assert.equal(reasonOf(by.get("H")!), "no settlement");
      assert.equal(reasonOf(by.get("A")!), "once");
      assert.equal(reasonOf(by.get("B")!), undefined, "passed somewhere: no skip reason");
      assert.deepEqual([foundAfterOf(by.get("C")!), counterexampleOf(by.get("C")!)!.shrinkRuns], [9, 11], "fewest steps among the failing shards, the flaky one left out");
      assert.deepEqual([foundAfterOf(by.get("E")!), counterexampleOf(by.get("E")!)!.shrinkRuns], [6, 8], "same steps: fewer faults; same faults: shard 2 before 3");
      assert.deepEqual([...waivers], [["D", "why"], ["E", "late"]]);
      assert.deepEqual([result.scenarios, result.executions, result.requests, result.durationMs, result.interrupted, result.shard], [36, 60, 90, 300, true, undefined]);
    });
  });
});
