import { counterexampleOf, reasonOf, type SuiteResult } from "../src/runner/suiteResult.js";
import { describeStep } from "../src/scenario/scenario.js";
import { join } from "node:path";
import { palette, type Style } from "./ansi.js";
import { MASKING_OFF } from "./report.js";
import { countsText, judgedText, replayCommand, shrinkSummary, violationWhen } from "./reportText.js";
import { countVerdicts } from "./runOutput.js";

const MARK = { pass: "ok  ", fail: "FAIL", flaky: "FLKY", untested: "UNTD", "n/a": "n/a ", skipped: "skip" } as const;
const MARK_STYLE: Record<(typeof MARK)[keyof typeof MARK] | "WAIV", Style> = {
  "ok  ": "green",
  FAIL: "red",
  FLKY: "yellow",
  UNTD: "yellow",
  "n/a ": "dim",
  skip: "dim",
  WAIV: "cyan",
};

export interface ConsoleSummaryOptions {
  /** ANSI colour for the verdict marks and the counts line (see `useColour`); off, the text is plain. */
  colour?: boolean;
  /** Whether the report was written masked; `false` adds the warning every output gives (absent: nothing). */
  masked?: boolean;
  /** Waived properties that passed (`exitCodeOf`): named, since their stale waivers fail the run. */
  stale?: readonly string[];
}

/**
 * The run's summary for a terminal, printed last: verdicts, then each failure with its steps and
 * replay. `waivers` (ID → reason) marks accepted failures, which do not count as failed. Last,
 * when `options` say so, that masking is off and which waivers are stale.
 */
export function renderConsoleSummary(r: SuiteResult, outDir: string | undefined, waivers: ReadonlyMap<string, string> = new Map(), options: ConsoleSummaryOptions = {}): string {
  const paint = palette(options.colour === true);
  const lines: string[] = [];
  for (const p of r.properties) {
    const waiver = waivers.get(p.id);
    const mark = waiver !== undefined && p.verdict !== "pass" ? "WAIV" : MARK[p.verdict];
    const note = [judgedText(p), reasonOf(p), waiver !== undefined ? `waived: ${waiver}` : undefined].filter(Boolean).join("; ");
    lines.push(`${paint[MARK_STYLE[mark]](mark)} ${p.id.padEnd(9)} ${p.title}${note ? ` (${note})` : ""}`);
  }
  for (const p of r.properties) {
    const cx = counterexampleOf(p);
    if (p.verdict !== "fail" || !cx) continue;
    lines.push("", `${p.id}: ${p.requirement}`);
    lines.push(`  ${shrinkSummary(p)}`);
    cx.scenario.steps.forEach((st, i) => lines.push(`  ${i + 1}. ${describeStep(cx.scenario, st)}`));
    for (const v of cx.violations.slice(0, 3)) {
      // The steps listed above are the case; a failure outside them (setup, teardown) says where it was.
      const when = violationWhen(cx, v);
      lines.push(`  - ${v.message}`, ...(when.startsWith("step ") ? [] : [`    in:       ${when}`]), `    expected: ${v.expected}`, `    actual:   ${v.actual}`);
    }
    if (cx.violations.length > 3) lines.push(`  (+${cx.violations.length - 3} more)`);
    if (outDir) lines.push(`  replay: ${replayCommand(outDir, p.id)}`);
  }
  const c = countVerdicts(r);
  const waived = r.properties.filter((p) => p.verdict === "fail" && waivers.has(p.id)).length;
  c.fail -= waived;
  lines.push(
    "",
    paint.bold(`${r.suite} suite, dialect ${r.dialect}, target ${r.target}: ${countsText(c)}${waived > 0 ? `, ${waived} waived` : ""}` +
      ` (${r.scenarios} scenarios, ${r.executions} executions, ${(r.durationMs / 1000).toFixed(1)} s, seed ${r.seed})${r.stopped?.reason === "deadline" ? " — stopped at the deadline" : r.stopped?.reason === "sut-down" ? " — STOPPED: the SUT went down" : r.interrupted ? " — INTERRUPTED" : ""}`),
  );
  if (outDir) lines.push(`report: ${join(outDir, "index.html")} (and results.tap, junit.xml, a bug report per failure)`);
  if (options.masked === false) lines.push(paint.yellow(MASKING_OFF));
  if (options.stale !== undefined && options.stale.length > 0) lines.push(paint.red(`waived but passing (remove the waiver): ${options.stale.join(", ")}`));
  return lines.join("\n");
}
