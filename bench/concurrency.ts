import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runConformance } from "../api/runConformance.js";
import { counterexampleOf, type SuiteResult } from "../src/runner/suiteResult.js";
import { hostProcess } from "./runner.js";

/** Scenarios per run: enough that the lanes' start (a sign-on per lane) is a small part. */
const RUNS = 200;
const SEED = 7;
const LANES = [1, 8, 16] as const;

/** What a run found: the same in every lane count, or the lanes changed the verdicts. */
const verdicts = (r: SuiteResult) => r.properties.map((p) => `${p.id}:${p.verdict}:${"foundAfter" in p ? p.foundAfter : ""}:${counterexampleOf(p)?.scenario.steps.length ?? ""}`).join(" ");

/**
 * Lanes against a host that takes 30 ms per answer (`isoconf sim host --delay-ms 30`, a process):
 * the same seed run with 1, 8 and 16 lanes, side by side in one command, scenarios per second
 * and the ratio to one lane, and whether the verdicts are the same.
 */
export async function concurrencyBenchmark(): Promise<string> {
  const host = await hostProcess(["--delay-ms", "30"]);
  const rows = [`| \`run host --target (sim host --delay-ms 30) --runs ${RUNS} --seed ${SEED} --concurrency N\` | wall time | scenarios/s | × one lane | verdicts |`, "|---|---|---|---|---|"];
  try {
    let alone: { rate: number; verdicts: string } | undefined;
    for (const lanes of LANES) {
      const out = join(mkdtempSync(join(tmpdir(), "isoconf-bench-lanes-")), "out");
      const started = performance.now();
      const r = await runConformance({ role: "host", target: host.url, runs: RUNS, seed: SEED, concurrency: lanes, out });
      const secs = (performance.now() - started) / 1000;
      const rate = r.result.scenarios / secs;
      alone ??= { rate, verdicts: verdicts(r.result) };
      const same = verdicts(r.result) === alone.verdicts ? "identical to one lane" : `**differ**: ${verdicts(r.result)}`;
      rows.push(`| N = ${lanes} | ${secs.toFixed(1)} s | ${rate.toFixed(1)} | **${(rate / alone.rate).toFixed(1)}×** | ${same} |`);
    }
  } finally {
    host.stop();
  }
  return rows.join("\n") + "\n\nEach lane plays terminals of its own (TERM0005-TERM0008 in the second, …); the run's wall time includes its pre-run sign-on, once per lane, the lanes at once.\n";
}
