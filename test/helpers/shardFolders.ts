import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunSettings } from "../../reports/report.js";
import { writeRunOutput } from "../../reports/runOutput.js";
import { builtinDialect } from "../../src/iso8583/builtinDialects.js";
import { referenceHostTarget } from "../../src/roles/referenceHostTarget.js";
import type { SuiteResult } from "../../src/runner/suiteResult.js";
import { REGISTERED_TERMINALS } from "../../src/sim/defaults.js";
import { runHostSuite } from "./hostRun.js";

export const cup = builtinDialect("cup");

export interface ShardRun {
  folder: string;
  /** As the runner returned it: in clear. */
  result: SuiteResult;
}

/** What a run of the host suite against the reference host records, as `isoconf run` would. */
export const settingsFor = (runs: number, bug: string | undefined, mask: boolean, startedAt: Date, waivers?: ReadonlyMap<string, string>): RunSettings => ({
  runs,
  responseTimeoutMs: 30_000,
  registeredTerminals: [...REGISTERED_TERMINALS],
  target: { kind: "reference", bug },
  mask,
  startedAt,
  waivers,
});

/**
 * The shards `1..count` of one host-suite run against the reference host, each run in-process and
 * written to its own temp folder as `isoconf run --shard i/count --out FOLDER` would write it.
 * Shard i starts i minutes after 09:00, so the earliest is shard 1's.
 */
export async function writeShards(o: {
  runs: number;
  seed: number;
  count: number;
  bug?: string;
  mask?: boolean;
  /** Only these shards (default all). */
  only?: number[];
  waivers?: ReadonlyMap<string, string>;
  /** Recorded settings beyond these (`maxSteps`, `only`, `skip`, `version`): written as given, not run with. */
  settings?: Partial<RunSettings>;
}): Promise<ShardRun[]> {
  const root = mkdtempSync(join(tmpdir(), "isoconf-shards-"));
  const out: ShardRun[] = [];
  for (let index = 1; index <= o.count; index++) {
    if (o.only && !o.only.includes(index)) continue;
    const result = await runHostSuite(cup, referenceHostTarget(cup, { bug: o.bug }), { runs: o.runs, seed: o.seed, shard: { index, count: o.count } });
    const folder = join(root, `shard-${index}`);
    await writeRunOutput(folder, result, cup, { ...settingsFor(o.runs, o.bug, o.mask ?? true, new Date(Date.UTC(2026, 0, 15, 9, index)), o.waivers), ...o.settings });
    out.push({ folder, result });
  }
  return out;
}
