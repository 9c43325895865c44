import { messageOf, type TraceEvent } from "../src/trace/traceEvent.js";
import { mdCode, mdCodeBlock, mdCodeCell, mdText } from "./escape.js";
import { fileStem, MASKING_OFF, verdictOf, type Report, type ReportProperty } from "./report.js";
import { DIRECTION_TEXT, eventSummary, evidenceSeqs, millis, provingEvents, replayCommand, shrinkSummary, stepTexts, violationWhen } from "./reportText.js";
import { counterexampleOf, reasonOf } from "../src/runner/suiteResult.js";

/**
 * `ID.md`: a bug report for a property with a counterexample, ready to paste into a tracker
 * (GitHub-flavoured Markdown, still readable as plain text where the tracker does not render
 * it): title, requirement, environment, minimal steps, expected vs observed, the wire log
 * (masked), the replay command. Values sit in code spans; prose is escaped with `mdText`.
 */
export function renderBugReport(r: Report, p: ReportProperty): string {
  const cx = counterexampleOf(p);
  if (!cx) throw new Error(`renderBugReport: ${p.id} has no counterexample`);
  const verdict = verdictOf(p);
  const out: string[] = [`# ${mdText(`${p.id} ${TITLE_VERB[verdict]}: ${p.title}`)}`, ""];
  if (!r.masked) out.push(`> **Warning:** ${mdText(MASKING_OFF)}.`, "");
  const status = [verdict === "waived" ? `waived (${p.verdict}): ${p.waiver}` : p.verdict, reasonOf(p), shrinkSummary(p)].filter(Boolean).join("; ");
  out.push(`**Verdict:** ${mdText(status)}`, "", `**Requirement (${mdText(p.id)}):** ${mdText(p.requirement)}`, "", `**Reference:** ${mdText(p.reference)}`, "");

  out.push("## Environment", "", "| | |", "|---|---|");
  for (const [k, v] of environment(r)) out.push(`| ${k} | ${mdCodeCell(v)} |`);

  out.push("", "## Steps to reproduce", "", ...stepTexts(cx).map((s, i) => `${i + 1}. ${mdCode(s)}`));

  out.push("", "## Expected and observed", "");
  cx.violations.forEach((v, i) => {
    out.push(`${i + 1}. ${mdText(v.message)}`, `   - **When:** ${mdText(violationWhen(cx, v))}`, `   - **Expected:** ${mdText(v.expected)}`, `   - **Observed:** ${mdText(v.actual)}`);
    if (v.events.length > 0) out.push(`   - **Evidence:** wire log #${evidenceSeqs(v).join(", #")}`);
  });

  out.push("", "## Wire log", "", `Rows in bold are the evidence. Card data ${r.masked ? "is masked" : "is NOT masked"}.`, "");
  out.push(...wireLog(cx.trace, provingEvents(cx)));

  const stem = fileStem(p.id);
  out.push("", "## Replay", "", mdCodeBlock([replayCommand(r.outDir, p.id)], "sh"), "");
  out.push(`Beside this report: ${mdCode(`${stem}.scenario.json`)} (the scenario) and ${mdCode(`${stem}.trace.jsonl`)} (the whole trace${r.masked ? ", masked" : ""}).`);
  out.push("", "---", `Reported by isoconf ${mdCode(r.version)}.`, "");
  return out.join("\n");
}

const TITLE_VERB = {
  pass: "passes",
  fail: "fails",
  flaky: "fails intermittently",
  untested: "was not exercised",
  "n/a": "does not apply",
  skipped: "was skipped",
  waived: "fails (waived)",
} as const;

function environment(r: Report): Array<[string, string]> {
  return [
    ["isoconf", r.version],
    ["suite", r.run.suite],
    ["dialect", r.run.dialect],
    ["target", r.run.target],
    ["response timeout", `${r.settings.responseTimeoutMs} ms`],
    ["seed", String(r.run.seed)],
    ["date", r.settings.startedAt.toISOString()],
    ["card data", r.masked ? "masked" : "NOT masked"],
  ];
}

function wireLog(trace: readonly TraceEvent[], proving: ReadonlySet<number>): string[] {
  const rows = ["| # | t (ms) | dir | conn | MTI | STAN | 39 | key fields / decode error / event |", "|--:|--:|---|---|---|---|---|---|"];
  for (const e of trace) {
    const m = messageOf(e);
    const f = m?.fields ?? {};
    const cells = [
      proving.has(e.seq) ? `**${e.seq}**` : String(e.seq),
      millis(e.t),
      DIRECTION_TEXT[e.dir],
      e.conn ? mdCodeCell(e.conn) : "",
      m ? mdCodeCell(m.mti) : "",
      f["11"] !== undefined ? mdCodeCell(f["11"]) : "",
      f["39"] !== undefined ? mdCodeCell(f["39"]) : "",
      m ? mdCodeCell(eventSummary(e)) : mdText(eventSummary(e)),
    ];
    rows.push(`| ${cells.join(" | ")} |`);
  }
  return rows;
}
