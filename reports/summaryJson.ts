import { dialectDigest } from "../src/iso8583/dialect.js";
import { countReportVerdicts, fileStem, verdictOf, type Report } from "./report.js";
import { replayCommand, stepTexts } from "./reportText.js";
import { counterexampleOf, foundAfterOf, judgedOf, reasonOf } from "../src/runner/suiteResult.js";

export const SUMMARY_FORMAT = "isoconf-summary/1";

/** The files every run writes beside summary.json, by format: what a machine reading the index finds. */
export const RUN_FILES = { tap: "results.tap", junit: "junit.xml", html: "index.html" } as const;

/** `summary.json`, the machine index: the run, its settings, verdict counts, and per property its verdict, evidence and files. */
export function renderSummaryJson(r: Report): string {
  const properties = r.properties.map((p) => {
    const entry: Record<string, unknown> = { id: p.id, title: p.title, requirement: p.requirement, reference: p.reference, judges: p.judges, verdict: verdictOf(p) };
    if (p.waiver !== undefined) {
      entry.waiver = p.waiver;
      // The runner's verdict under the waiver: a stale waiver (it passes) is told from a waived failure.
      entry.waivedVerdict = p.verdict;
    }
    if (reasonOf(p)) entry.reason = reasonOf(p);
    if (foundAfterOf(p) !== undefined) entry.foundAfter = foundAfterOf(p);
    if (judgedOf(p) !== undefined) entry.judged = judgedOf(p);
    if (p.verdict === "pass" && p.limit !== undefined) entry.limit = p.limit;
    const cx = counterexampleOf(p);
    if (cx) {
      const stem = fileStem(p.id);
      entry.counterexample = {
        steps: stepTexts(cx),
        originalSteps: cx.originalSteps,
        shrinkRuns: cx.shrinkRuns,
        shrinkMs: cx.shrinkMs,
        violations: cx.violations,
        scenarioFile: `${stem}.scenario.json`,
        traceFile: `${stem}.trace.jsonl`,
        bugReport: `${stem}.md`,
        replay: replayCommand(r.outDir, p.id),
      };
    }
    return entry;
  });
  const { waived, ...counts } = countReportVerdicts(r);
  const s = r.settings;
  const summary = {
    format: SUMMARY_FORMAT,
    version: r.version,
    suite: r.run.suite,
    dialect: r.run.dialect,
    dialectDigest: dialectDigest(r.dialect),
    target: r.run.target,
    seed: r.run.seed,
    // Present only for one shard of a run (`--shard 2/4`); `isoconf merge` joins the shards.
    ...(r.run.shard ? { shard: r.run.shard } : {}),
    // Present only for a report `isoconf merge` joined from shards: where it came from.
    ...(s.mergedFrom ? { mergedFrom: { count: s.mergedFrom.count, folders: s.mergedFrom.folders } } : {}),
    startedAt: s.startedAt.toISOString(),
    durationMs: r.run.durationMs,
    interrupted: r.run.interrupted,
    ...(r.run.stopped ? { stopped: r.run.stopped } : {}),
    masked: r.masked,
    config: {
      runs: s.runs,
      // Present only when the caller recorded them (`--max-steps`, `--only`, `--skip`).
      ...(s.maxSteps !== undefined ? { maxSteps: s.maxSteps } : {}),
      ...(s.only !== undefined ? { only: s.only } : {}),
      ...(s.skip !== undefined ? { skip: s.skip } : {}),
      responseTimeoutMs: s.responseTimeoutMs,
      requireExercised: r.run.requireExercised,
      registeredTerminals: s.registeredTerminals,
      ...(s.merchant !== undefined ? { merchant: s.merchant } : {}),
      ...(s.tmkKcv !== undefined ? { tmkKcv: s.tmkKcv } : {}),
      ...(s.reversalAttempts !== undefined ? { reversalAttempts: s.reversalAttempts } : {}),
      target: s.target,
    },
    figures: { scenarios: r.run.scenarios, executions: r.run.executions, requests: r.run.requests },
    // `waived` appears once a run has waivers, so summaries of runs without them keep their shape.
    verdicts: waived > 0 ? { ...counts, waived } : counts,
    files: RUN_FILES,
    properties,
  };
  return JSON.stringify(summary, null, 2) + "\n";
}
