import { resolve } from "node:path";
import { BUILTIN_DIALECTS, builtinDialect, resolveDialect } from "../src/iso8583/builtinDialects.js";
import { dialectDigest, type Dialect } from "../src/iso8583/dialect.js";
import { type Counterexample, counterexampleOf, judgedOf, type PropertyResult, type SuiteResult, untestedReason, type Verdict } from "../src/runner/suiteResult.js";
import type { ScenarioStep } from "../src/scenario/scenario.js";
import { checkShards, ShardMergeError } from "./checkShards.js";
import { readRunFolder, type RunFolder } from "./readRunFolder.js";
import type { RunSettings } from "./report.js";
import { makeDefaultOutDir, writeRunOutput } from "./runOutput.js";

export { ShardMergeError } from "./checkShards.js";

/**
 * `isoconf merge`: the output folders of the shards of one run (`run --shard i/n` on several
 * machines) joined into one report, as if one machine had run them all.
 */

export interface MergeOptions {
  /** The merged output folder, none of the shards' own; default a new `isoconf-report/<timestamp>-merged`, made when the report is written. */
  out?: string;
  /** Mask card data in the merged report (default true); a shard written with `--no-mask` is masked now. */
  mask?: boolean;
  /** The dialect, by name or file: needed for a dialect of the user's own (summary.json holds only its name). */
  dialect?: string;
}

export interface MergedRun {
  /** As written: masked unless masking is off. */
  result: SuiteResult;
  dialect: Dialect;
  settings: RunSettings & { waivers: ReadonlyMap<string, string> };
  /** The shards, in shard order. */
  shards: RunFolder[];
  /** With masking off, the folders of the shards written masked: their card data stays masked. */
  stillMasked: string[];
  /** The folder the merged report went to. */
  out: string;
}

/** Reads, checks and merges the shard folders, and writes the merged report with `writeRunOutput`. */
export async function mergeShardFolders(folders: readonly string[], o: MergeOptions): Promise<MergedRun> {
  const given = o.out;
  const clash = given === undefined ? undefined : folders.find((f) => resolve(f) === resolve(given));
  if (clash !== undefined) throw new ShardMergeError(`the merged report would overwrite the shard in ${clash}: give another --out`);
  const read: RunFolder[] = [];
  for (const f of folders) read.push(await readRunFolder(f));
  const shards = checkShards(read);
  const dialect = dialectOf(shards[0].summary.dialect, shards[0].summary.dialectDigest, o.dialect);
  const { result, waivers } = combineShards(shards);
  // Masking a masked trace changes nothing, so a folder written masked can go through it again.
  // With --no-mask, masking cannot be undone: the shards written masked stay so, and `stillMasked`
  // names them (the console says so beside "masking is off"); all of them masked, so is the merge.
  const mask = (o.mask ?? true) || shards.every((s) => s.masked);
  const stillMasked = mask ? [] : shards.filter((s) => s.masked).map((s) => s.folder);
  const { config } = shards[0].summary;
  const settings: MergedRun["settings"] = {
    runs: config.runs,
    // The shards agree on these (checkShards); absent from summaries of older runs.
    ...(config.maxSteps !== undefined ? { maxSteps: config.maxSteps } : {}),
    ...(config.only !== undefined ? { only: config.only } : {}),
    ...(config.skip !== undefined ? { skip: config.skip } : {}),
    responseTimeoutMs: config.responseTimeoutMs,
    registeredTerminals: config.registeredTerminals,
    merchant: config.merchant,
    tmkKcv: config.tmkKcv,
    ...(config.reversalAttempts !== undefined ? { reversalAttempts: config.reversalAttempts } : {}),
    target: config.target,
    mask,
    startedAt: new Date(Math.min(...shards.map((s) => Date.parse(s.summary.startedAt)))),
    waivers,
    mergedFrom: { count: shards.length, folders: shards.map((s) => s.folder) },
  };
  // Made only now, so that shards refused above leave no folder behind.
  const out = o.out ?? makeDefaultOutDir(new Date(), "-merged");
  const written = await writeRunOutput(out, result, dialect, settings);
  return { result: written, dialect, settings, shards, stillMasked, out };
}

/** The dialect the shards ran under: a built-in one by its name, a dialect of the user's own from `given`. */
function dialectOf(name: string, digest: string | undefined, given: string | undefined): Dialect {
  if (given === undefined) {
    if (!BUILTIN_DIALECTS.includes(name)) {
      throw new ShardMergeError(`the shards ran under dialect "${name}", which is not built in (${BUILTIN_DIALECTS.join(", ")}): give its file with --dialect FILE`);
    }
    const builtin = builtinDialect(name);
    // A file of the lab's own may be named like a built-in dialect; its fields tell.
    if (digest !== undefined && dialectDigest(builtin) !== digest) {
      throw new ShardMergeError(`the shards ran under a dialect named "${name}" whose fields differ from the built-in one: give its file with --dialect FILE`);
    }
    return builtin;
  }
  const d = resolveDialect(given);
  if (d.name !== name) throw new ShardMergeError(`--dialect ${given} is dialect "${d.name}": the shards ran under "${name}"`);
  if (digest !== undefined && dialectDigest(d) !== digest) throw new ShardMergeError(`--dialect ${given} is not the "${name}" the shards ran under: its fields differ`);
  return d;
}

/** A property's verdict over the shards: the first of these any shard has (pass and untested are decided by the sum). */
const PRECEDENCE: readonly Verdict[] = ["fail", "flaky", "pass", "untested", "n/a", "skipped"];

/**
 * The shards' results as one run's. Per property: a failure in any shard fails it, else a flake
 * makes it flaky; else how often its rule applied adds up over the shards, and it passes when the
 * sum reaches the run's `requireExercised` (untested when not); else it is n/a or skipped as the
 * shards say. A counterexample is the smallest of the shards with that verdict, with that shard's
 * figures. Figures add up; the run took as long as its slowest shard, and was interrupted if any
 * shard was.
 */
export function combineShards(shards: readonly RunFolder[]): { result: SuiteResult; waivers: Map<string, string> } {
  const results = shards.map((s) => s.result);
  const sum = (of: (r: SuiteResult) => number) => results.reduce((n, r) => n + of(r), 0);
  const { suite, dialect, target, seed, requireExercised } = results[0];
  const scenarios = sum((r) => r.scenarios);
  const properties = results[0].properties.map((_, i) => mergeProperty(results.map((r) => r.properties[i]), requireExercised, scenarios));
  const result: SuiteResult = {
    suite,
    dialect,
    target,
    seed,
    scenarios,
    executions: sum((r) => r.executions),
    requests: sum((r) => r.requests),
    durationMs: Math.max(...results.map((r) => r.durationMs)),
    interrupted: results.some((r) => r.interrupted),
    requireExercised,
    // The gravest reason any shard stopped early, for the exit code.
    ...mostGrave(results.map((r) => r.stopped)),
    properties,
  };
  // The shards' waivers agree (checkShards refuses shards whose waivers differ): shard 1's are the run's.
  return { result, waivers: new Map(shards[0].waivers) };
}

const GRAVITY = ["kit-error", "sut-down", "interrupted", "deadline"] as const;
const mostGrave = (all: SuiteResult["stopped"][]): Pick<SuiteResult, "stopped"> => {
  const stopped = GRAVITY.map((reason) => all.find((s) => s?.reason === reason)).find((s) => s !== undefined);
  return stopped ? { stopped } : {};
};

/** One property over the shards (in shard order: among equals, the lower shard wins). */
function mergeProperty(each: readonly PropertyResult[], requireExercised: number, scenarios: number): PropertyResult {
  const verdict = PRECEDENCE.find((v) => each.some((p) => p.verdict === v))!;
  const candidates = each.filter((p) => p.verdict === verdict);
  if (verdict === "pass" || verdict === "untested") {
    const { id, title, requirement, reference, judges } = candidates[0];
    const judged = each.reduce((n, p) => n + (judgedOf(p) ?? 0), 0);
    const names = { id, title, requirement, reference, judges };
    if (judged >= requireExercised) return { ...names, verdict: "pass", judged };
    return { ...names, verdict: "untested", judged, reason: untestedReason(judges, judged, scenarios, requireExercised) };
  }
  if (verdict !== "fail" && verdict !== "flaky") return candidates[0];
  return candidates.reduce((best, p) => {
    const [mine, theirs] = [counterexampleOf(p), counterexampleOf(best)];
    return mine && (!theirs || smaller(mine, theirs)) ? p : best;
  });
}

const faults = (cx: Counterexample) => (cx.scenario.steps as readonly ScenarioStep[]).filter((s) => s.fault !== undefined).length;

/** Fewer steps, then fewer faults: what shrinking itself minimises. */
const smaller = (a: Counterexample, b: Counterexample) =>
  a.scenario.steps.length !== b.scenario.steps.length ? a.scenario.steps.length < b.scenario.steps.length : faults(a) < faults(b);
