import { join } from "node:path";
import type { PropertyResult, SuiteResult } from "../src/runner/runSuite.js";
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
    const r = propertyOf(p);
    if (p.counterexample) {
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
    ...(summary.stopped ? { stopped: summary.stopped } : {}),
    ...(summary.shard ? { shard: summary.shard } : {}),
    properties,
  };
  const waivers = new Map(summary.properties.flatMap((p) => (p.waiver === undefined ? [] : [[p.id, p.waiver] as const])));
  return { folder, summary, result, masked, waivers };
}

/** A property as the runner decided it: a waived one's own verdict is `waivedVerdict`. */
function propertyOf(p: SummaryProperty): PropertyResult {
  const r: PropertyResult = { id: p.id, title: p.title, requirement: p.requirement, reference: p.reference, verdict: p.verdict === "waived" ? p.waivedVerdict! : p.verdict };
  if (p.reason !== undefined) r.reason = p.reason;
  if (p.foundAfter !== undefined) r.foundAfter = p.foundAfter;
  return r;
}
