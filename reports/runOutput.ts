import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Dialect } from "../src/iso8583/dialect.js";
import type { SuiteResult, Verdict } from "../src/runner/runSuite.js";
import { describeStep } from "../src/runner/scenario.js";
import { writeTraceJsonl } from "../src/trace/traceFile.js";
import { SCENARIO_FORMAT, writeScenarioFile, type RecordedTarget } from "./scenarioFile.js";

/** What a run was asked to do, for the machine index and the replay files. */
export interface RunSettings {
  runs: number;
  responseTimeoutMs: number;
  registeredTerminals: string[];
  target: RecordedTarget;
  mask: boolean;
  startedAt: Date;
}

export const SUMMARY_FORMAT = "isoconf-summary/1";

/** Verdict counts, in a fixed order. */
export function countVerdicts(result: SuiteResult): Record<Verdict, number> {
  const counts: Record<Verdict, number> = { pass: 0, fail: 0, flaky: 0, skipped: 0 };
  for (const p of result.properties) counts[p.verdict]++;
  return counts;
}

/** The replay command for a property's scenario file. */
export const replayCommand = (dir: string, id: string) => `npx isoconf replay ${join(dir, `${id}.scenario.json`)}`;

/**
 * Writes the output folder: `summary.json` (the machine index), and per failing property
 * `ID.scenario.json` (replayable) and `ID.trace.jsonl` (masked unless `mask` is off).
 */
export async function writeRunOutput(dir: string, result: SuiteResult, dialect: Dialect, s: RunSettings): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const properties = [];
  for (const p of result.properties) {
    const entry: Record<string, unknown> = { id: p.id, title: p.title, requirement: p.requirement, reference: p.reference, verdict: p.verdict };
    if (p.reason) entry.reason = p.reason;
    if (p.foundAfter !== undefined) entry.foundAfter = p.foundAfter;
    const cx = p.counterexample;
    if (cx) {
      const steps = cx.scenario.steps.map((st) => describeStep(cx.scenario, st));
      writeScenarioFile(join(dir, `${p.id}.scenario.json`), {
        format: SCENARIO_FORMAT,
        property: p.id,
        suite: result.suite,
        dialect: result.dialect,
        target: s.target,
        responseTimeoutMs: s.responseTimeoutMs,
        registeredTerminals: s.registeredTerminals,
        seed: result.seed,
        steps,
        scenario: cx.scenario,
      });
      await writeTraceJsonl(join(dir, `${p.id}.trace.jsonl`), cx.trace, { dialect, mask: s.mask, startedAt: s.startedAt });
      entry.counterexample = {
        steps,
        originalSteps: cx.originalSteps,
        shrinkRuns: cx.shrinkRuns,
        shrinkMs: cx.shrinkMs,
        violations: cx.violations,
        scenarioFile: `${p.id}.scenario.json`,
        traceFile: `${p.id}.trace.jsonl`,
        replay: replayCommand(dir, p.id),
      };
    }
    properties.push(entry);
  }
  const summary = {
    format: SUMMARY_FORMAT,
    suite: result.suite,
    dialect: result.dialect,
    target: result.target,
    seed: result.seed,
    startedAt: s.startedAt.toISOString(),
    durationMs: result.durationMs,
    interrupted: result.interrupted,
    masked: s.mask,
    config: { runs: s.runs, responseTimeoutMs: s.responseTimeoutMs, registeredTerminals: s.registeredTerminals, target: s.target },
    figures: { scenarios: result.scenarios, executions: result.executions, requests: result.requests },
    verdicts: countVerdicts(result),
    properties,
  };
  writeFileSync(join(dir, "summary.json"), JSON.stringify(summary, null, 2) + "\n");
}
