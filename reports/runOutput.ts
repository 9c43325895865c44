import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { isBuiltinDialect } from "../src/iso8583/builtinDialects.js";
import type { Dialect } from "../src/iso8583/dialect.js";
import { counterexampleOf, type SuiteResult, type Verdict, VERDICTS } from "../src/runner/suiteResult.js";
import { scenarioDigest } from "../src/trace/scenarioDigest.js";
import { writeTraceJsonl } from "../src/trace/traceFile.js";
import { maskSuiteResult } from "./maskResult.js";
import { packageVersion } from "./packageVersion.js";
import { buildReport, fileStem, type RunSettings } from "./report.js";
import { REPORTERS } from "./reporters.js";
import { stepTexts } from "./reportText.js";
import { SCENARIO_FORMAT, writeScenarioFile } from "./scenarioFile.js";
import { makeOutputFolder, OutputFolderError } from "./outputFolder.js";

export type { RunSettings } from "./report.js";
export { replayCommand } from "./reportText.js";
export { SUMMARY_FORMAT } from "./summaryJson.js";

/**
 * The output folder when none is given: `isoconf-report/<startedAt as a file name>` plus `suffix`
 * (`-shard-2-of-4`, `-merged`), so folders list in the order they were written.
 */
export function defaultOutDir(startedAt: Date, suffix = ""): string {
  return join(DEFAULT_OUT_ROOT, startedAt.toISOString().replace(/[:.]/g, "-") + suffix);
}

/** Where the default output folders go, under the working directory. */
export const DEFAULT_OUT_ROOT = "isoconf-report";

/** Names tried after the first before giving up: far more runs than can start in one millisecond. */
const MAX_SAME_NAME = 1_000;

/**
 * Makes a default output folder of the run's own: where another run started in the same
 * millisecond has the name already, `-2`, `-3`, … follow it, so two runs never write into one.
 */
export function makeDefaultOutDir(startedAt: Date, suffix = ""): string {
  const base = defaultOutDir(startedAt, suffix);
  for (let n = 1; n <= MAX_SAME_NAME; n++) {
    const dir = n === 1 ? base : `${base}-${n}`;
    if (makeOutputFolder(dir, { exclusive: true })) return dir;
  }
  throw new OutputFolderError(`cannot write the report to ${base}: it and ${MAX_SAME_NAME - 1} numbered names after it exist already; give --out`);
}

/** Verdict counts, in a fixed order. */
export function countVerdicts(result: SuiteResult): Record<Verdict, number> {
  const counts = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
  for (const p of result.properties) counts[p.verdict]++;
  return counts;
}

/**
 * Writes the output folder: `summary.json`, `results.tap`, `junit.xml`, `index.html`, and per
 * property with a counterexample (fail or flaky) `ID.md`, `ID.scenario.json` (replayable) and
 * `ID.trace.jsonl`. Card data is masked in all of them unless `mask` is off, and then each says
 * so (the scenario file holds cards as recipes, never a card number, either way).
 * Returns the result as written (masked), for the console summary.
 */
export async function writeRunOutput(dir: string, result: SuiteResult, dialect: Dialect, s: RunSettings): Promise<SuiteResult> {
  makeOutputFolder(dir);
  const shown = s.mask ? maskSuiteResult(result, dialect) : result;
  const report = buildReport(shown, dialect, s.replayDir ?? dir, s.version ?? packageVersion(), s);
  for (const p of shown.properties) {
    const cx = counterexampleOf(p);
    if (!cx) continue;
    const stem = fileStem(p.id);
    writeScenarioFile(join(dir, `${stem}.scenario.json`), {
      format: SCENARIO_FORMAT,
      property: p.id,
      suite: result.suite,
      dialect: result.dialect,
      ...(isBuiltinDialect(dialect) ? {} : { dialectTable: dialect.table }),
      target: s.target,
      responseTimeoutMs: s.responseTimeoutMs,
      registeredTerminals: s.registeredTerminals,
      ...(s.merchant !== undefined ? { merchant: s.merchant } : {}),
      ...(s.tmkKcv !== undefined ? { tmkKcv: s.tmkKcv } : {}),
      ...(s.reversalAttempts !== undefined ? { reversalAttempts: s.reversalAttempts } : {}),
      ...(s.cards !== undefined ? { cards: s.cards } : {}),
      seed: result.seed,
      steps: stepTexts(cx),
      scenario: cx.scenario,
    });
    // Masked already when `mask` is on; the writer's own masking leaves masked events as they are.
    await writeTraceJsonl(join(dir, `${stem}.trace.jsonl`), cx.trace, {
      dialect,
      mask: s.mask,
      startedAt: s.startedAt,
      scenarioDigest: scenarioDigest(cx.scenario),
    });
  }
  for (const reporter of REPORTERS) {
    for (const file of reporter.files(report)) writeFileSync(join(dir, file.name), file.text);
  }
  return shown;
}
