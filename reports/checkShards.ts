import { isDeepStrictEqual } from "node:util";
import type { RunFolder } from "./readRunFolder.js";

/** Folders that cannot be merged: the message names the folders and what differs or is missing. */
export class ShardMergeError extends Error {
  override readonly name = "ShardMergeError";
}

/** A list whose order means nothing, in one order; `undefined` stays so. */
const inOrder = (list: readonly string[] | undefined) => (list === undefined ? undefined : [...list].sort());

/** What must be the same in every shard of one run: they generated the same scenarios against the same SUT. */
const SAME: ReadonlyArray<[what: string, of: (r: RunFolder) => unknown]> = [
  // Another isoconf may generate other scenarios from the same seed, or judge them otherwise.
  ["version", (r) => r.summary.version],
  ["suite", (r) => r.summary.suite],
  ["dialect", (r) => r.summary.dialect],
  ["dialect's fields (dialectDigest)", (r) => r.summary.dialectDigest],
  ["seed", (r) => r.summary.seed],
  ["target", (r) => r.summary.target],
  ["shard count", (r) => r.summary.shard?.count],
  ["config.runs", (r) => r.summary.config.runs],
  // Absent (older summaries) equals absent only: one shard with --max-steps 5 and one without differ.
  ["config.maxSteps", (r) => r.summary.config.maxSteps],
  ["config.only", (r) => inOrder(r.summary.config.only)],
  ["config.skip", (r) => inOrder(r.summary.config.skip)],
  ["config.target", (r) => r.summary.config.target],
  // The merged scenario files replay with one timeout and one set of terminals.
  ["config.responseTimeoutMs", (r) => r.summary.config.responseTimeoutMs],
  ["config.requireExercised", (r) => r.summary.config.requireExercised],
  ["config.registeredTerminals", (r) => r.summary.config.registeredTerminals],
  ["config.merchant", (r) => r.summary.config.merchant],
  ["config.tmkKcv", (r) => r.summary.config.tmkKcv],
  ["config.reversalAttempts", (r) => r.summary.config.reversalAttempts],
  // Properties are merged by position: the same suite at the same version lists the same ones.
  ["property list", (r) => r.summary.properties.map((p) => p.id)],
  // One config, one set of waivers: the merged verdicts and exit code follow them (ID → reason).
  ["waivers", (r) => Object.fromEntries(r.waivers)],
];

const named = (r: RunFolder) => `${r.folder} (shard ${r.summary.shard!.index}/${r.summary.shard!.count})`;

/**
 * Checks that the folders are the shards of one run, each once and none missing; returns them
 * in shard order (shard 1 first).
 */
export function checkShards(runs: readonly RunFolder[]): RunFolder[] {
  if (runs.length === 0) throw new ShardMergeError("no folders to merge: name the output folder of each shard");
  for (const r of runs) {
    if (r.summary.shard === undefined) {
      const what = "mergedFrom" in r.summary ? "a merged report already" : "a whole run";
      throw new ShardMergeError(`${r.folder} is ${what}, not a shard: its summary.json has no shard (merge joins the folders of 'isoconf run --shard i/n')`);
    }
  }
  const [first, ...others] = runs;
  for (const r of others) {
    for (const [what, of] of SAME) {
      if (isDeepStrictEqual(of(first), of(r))) continue;
      throw new ShardMergeError(`${first.folder} and ${r.folder} are not shards of one run: ${what} is ${JSON.stringify(of(first))} in the one, ${JSON.stringify(of(r))} in the other`);
    }
  }
  const sorted = [...runs].sort((a, b) => a.summary.shard!.index - b.summary.shard!.index);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].summary.shard!.index === sorted[i - 1].summary.shard!.index) {
      throw new ShardMergeError(`${sorted[i - 1].folder} and ${sorted[i].folder} are both shard ${sorted[i].summary.shard!.index}/${sorted[i].summary.shard!.count}: give each shard once`);
    }
  }
  const count = first.summary.shard!.count;
  const given = new Set(sorted.map((r) => r.summary.shard!.index));
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !given.has(i));
  if (missing.length > 0) {
    throw new ShardMergeError(`shard${missing.length > 1 ? "s" : ""} ${missing.join(", ")} of ${count} missing: given ${sorted.map(named).join(", ")}`);
  }
  return sorted;
}
