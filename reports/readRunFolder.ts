import { join } from "node:path";
import { isFound, type PropertyResult, type SuiteResult } from "../src/runner/suiteResult.js";
import { readTraceJsonl } from "../src/trace/traceFile.js";
import { fileStem } from "./report.js";
import { readScenarioFile } from "./scenarioFile.js";
import { readSummaryJson, SummaryFileError, type Summary, type SummaryProperty } from "./summarySchema.js";

/** A run's output folder read back: the run as `runSuite` returned it (as written: masked or not), and what the reports added. */
export interface RunFolder {
  folder: string;
  summary: Summary;
  result: SuiteResult;
  /** Every file of it was written masked: summary.json and each trace file say so. */
  masked: boolean;
  /** Waived properties: ID → reason, from the config of the run that wrote it. */
  waivers: Map<string, string>;
}

/**
 * Reads a folder `writeRunOutput` wrote, the inverse of it as far as the files allow: summary.json
 * for the verdicts and figures, and per property with a counterexample its ID.scenario.json (the
 * scenario) and ID.trace.jsonl (the trace). File names come from the property ID as the writer
 * makes them, not from summary.json: a hand-edited summary cannot send the reader elsewhere.
 */
export async function readRunFolder(folder: string): Promise<RunFolder> {
  const summary = readSummaryJson(folder);
  let masked = summary.masked;
  const properties: PropertyResult[] = [];
  for (const p of summary.properties) {
    const r = propertyOf(p, folder);
    if (p.counterexample) {
      if (!isFound(r)) throw new SummaryFileError(`${folder}/summary.json: property ${p.id} is ${r.verdict} and has a counterexample: only a failure or a flake has one`);
      const { originalSteps, shrinkRuns, shrinkMs, violations } = p.counterexample;
      const stem = join(folder, fileStem(p.id));
      const scenarioFile = readScenarioFile(`${stem}.scenario.json`);
      if (scenarioFile.property !== undefined && scenarioFile.property !== p.id) {
        throw new SummaryFileError(`${stem}.scenario.json: its property is ${scenarioFile.property}: expected ${p.id}, as summary.json says`);
      }
      const trace = await readTraceJsonl(`${stem}.trace.jsonl`);
      if (trace.header.dialect !== summary.dialect) {
        throw new SummaryFileError(`${stem}.trace.jsonl: recorded under dialect ${trace.header.dialect}: expected ${summary.dialect}, as summary.json says`);
      }
      masked &&= trace.header.masked;
      r.counterexample = { scenario: scenarioFile.scenario, trace: trace.events, violations, originalSteps, shrinkRuns, shrinkMs };
    }
    properties.push(r);
  }
  const result: SuiteResult = {
    suite: summary.suite,
    dialect: summary.dialect,
    target: summary.target,
    seed: summary.seed,
    ...summary.figures,
    durationMs: summary.durationMs,
    interrupted: summary.interrupted,
    requireExercised: summary.config.requireExercised ?? 1,
    ...(summary.stopped ? { stopped: summary.stopped } : {}),
    ...(summary.shard ? { shard: summary.shard } : {}),
    properties,
  };
  const waivers = new Map(summary.properties.flatMap((p) => (p.waiver === undefined ? [] : [[p.id, p.waiver] as const])));
  return { folder, summary, result, masked, waivers };
}

/** A property as the runner decided it: a waived one's own verdict is `waivedVerdict`. */
function propertyOf(p: SummaryProperty, folder: string): PropertyResult {
  const names = { id: p.id, title: p.title, requirement: p.requirement, reference: p.reference, judges: p.judges ?? "occasions of its rule" };
  const verdict = p.verdict === "waived" ? p.waivedVerdict! : p.verdict;
  const needs = <T>(key: string, value: T | undefined): T => {
    if (value === undefined) throw new SummaryFileError(`${folder}/summary.json: property ${p.id} is ${verdict} without its ${key}`);
    return value;
  };
  // Summaries written before verdicts counted what they judged lack `judged`: such a shard must be run again.
  const judged = () => needs("judged (how often its rule applied; summaries before isoconf 0.2 lack it: run the shard again)", p.judged);
  switch (verdict) {
    case "pass":
      return { ...names, verdict, judged: judged(), ...(p.limit !== undefined ? { limit: p.limit } : {}) };
    case "untested":
      return { ...names, verdict, judged: judged(), reason: needs("reason", p.reason) };
    case "n/a":
    case "skipped":
      return { ...names, verdict, reason: needs("reason", p.reason) };
    case "fail":
      return { ...names, verdict, judged: judged(), foundAfter: needs("foundAfter", p.foundAfter) };
    case "flaky":
      return { ...names, verdict, judged: judged(), reason: needs("reason", p.reason), foundAfter: needs("foundAfter", p.foundAfter) };
  }
}
