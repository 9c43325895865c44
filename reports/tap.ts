import { tapComment, tapText, yamlString } from "./escape.js";
import { MASKING_OFF, verdictOf, type Report, type ReportProperty } from "./report.js";
import { countsLine, cutShort, stoppedText, replayCommand, runLine, SHOWN_VIOLATIONS, stepTexts, violationWhen } from "./reportText.js";
import { counterexampleOf, foundAfterOf, reasonOf } from "../src/runner/suiteResult.js";

/**
 * `results.tap`, TAP version 13: the plan, then one test point per property in catalogue order,
 * numbered from 1, with a YAML block of evidence under each point that has a counterexample.
 *
 * Verdicts as TAP has them:
 * - pass: `ok`; fail: `not ok`;
 * - skipped: `ok … # SKIP reason` (not applicable is not a failure); untested and n/a:
 *   `ok … # SKIP untested: reason`, so no consumer counts a rule never exercised as a pass;
 * - flaky: `not ok … # TODO flaky: reason`. A TODO point is reported but does not fail the run,
 *   which is what isoconf's exit code does with a flaky property; the evidence stays below it;
 * - waived: `ok` or `not ok` as the property went, then `# TODO waived: reason`. A waived failure
 *   is a known failure (TODO, not counted); a waived property that passes shows as a TODO that
 *   passed, which TAP consumers flag as a bonus: time to drop the waiver.
 * A run cut short (`cutShort`) shows its unfailed properties as `# SKIP` with why, and ends in
 * `Bail out!`, which every TAP consumer takes as a failed run.
 */
export function renderTap(r: Report): string {
  const lines = ["TAP version 13", tapComment(`isoconf ${r.version}: ${runLine(r)}; started ${r.settings.startedAt.toISOString()}`)];
  if (!r.masked) lines.push(tapComment(MASKING_OFF));
  if (r.run.interrupted) lines.push(tapComment(stoppedText(r.run, r.settings.runs)));
  lines.push(`1..${r.properties.length}`);
  const stopped = cutShort(r.run) ? stoppedText(r.run, r.settings.runs) : undefined;
  r.properties.forEach((p, i) => {
    lines.push(stopped !== undefined && verdictOf(p) === "pass" ? `ok ${i + 1} - ${tapText(`${p.id} ${p.title}`)} # SKIP ${tapText(`not judged to the end: ${stopped}`)}` : testPoint(p, i + 1));
    if (counterexampleOf(p)) lines.push(...diagnostics(p, r).map((l) => `  ${l}`));
    // A pass that leaves part of its rule unjudged says so beside it.
    if (p.verdict === "pass" && p.limit !== undefined) lines.push(tapComment(`${p.id}: ${p.limit}`));
  });
  lines.push(tapComment(countsLine(r)));
  if (stopped !== undefined) lines.push(`Bail out! ${tapText(stopped)}`);
  return lines.join("\n") + "\n";
}

function testPoint(p: ReportProperty, n: number): string {
  const failed = p.verdict === "fail" || p.verdict === "flaky";
  const point = `${failed ? "not ok" : "ok"} ${n} - ${tapText(`${p.id} ${p.title}`)}`;
  const why = (prefix: string, reason: string | undefined) => tapText(reason ? `${prefix}: ${reason}` : prefix);
  switch (verdictOf(p)) {
    case "skipped":
      return `${point} # SKIP ${tapText(reasonOf(p) ?? "not run")}`;
    case "untested":
    case "n/a":
      return `${point} # SKIP ${why(verdictOf(p), reasonOf(p))}`;
    case "flaky":
      return `${point} # TODO ${why("flaky", reasonOf(p))}`;
    case "waived":
      return `${point} # TODO ${why("waived", p.waiver)}`;
    default:
      return point;
  }
}

/** The YAML block (TAP 13 diagnostics), without its two-space indent. */
function diagnostics(p: ReportProperty, r: Report): string[] {
  const cx = counterexampleOf(p)!;
  const y = ["---", `message: ${yamlString(cx.violations[0]?.message ?? p.requirement)}`, `severity: ${verdictOf(p)}`];
  y.push(`id: ${yamlString(p.id)}`, `requirement: ${yamlString(p.requirement)}`, `reference: ${yamlString(p.reference)}`);
  const reason = reasonOf(p);
  if (reason !== undefined) y.push(`reason: ${yamlString(reason)}`);
  if (p.waiver !== undefined) y.push(`waiver: ${yamlString(p.waiver)}`);
  if (foundAfterOf(p) !== undefined) y.push(`foundAfter: ${foundAfterOf(p)}`);
  y.push(`shrunk: { fromSteps: ${cx.originalSteps}, toSteps: ${cx.scenario.steps.length}, runs: ${cx.shrinkRuns}, ms: ${cx.shrinkMs} }`);
  y.push("steps:", ...stepTexts(cx).map((s) => `  - ${yamlString(s)}`));
  y.push("violations:");
  for (const v of cx.violations.slice(0, SHOWN_VIOLATIONS)) {
    y.push(`  - message: ${yamlString(v.message)}`, `    when: ${yamlString(violationWhen(cx, v))}`, `    expected: ${yamlString(v.expected)}`, `    actual: ${yamlString(v.actual)}`, `    events: [${v.events.join(", ")}]`);
  }
  if (cx.violations.length > SHOWN_VIOLATIONS) y.push(`moreViolations: ${cx.violations.length - SHOWN_VIOLATIONS}`);
  y.push(`replay: ${yamlString(replayCommand(r.outDir, p.id))}`, "...");
  return y;
}
