import { html } from "./escape.js";
import { HTML_STYLE } from "./htmlStyle.js";
import { framesHtml, wireLogHtml } from "./htmlWireLog.js";
import { countReportVerdicts, fileStem, MASKING_OFF, REPORT_VERDICTS, type ReportVerdict, verdictOf, type Report, type ReportProperty } from "./report.js";
import { evidenceSeqs, judgedText, stoppedText, provingEvents, replayCommand, seconds, shrinkSummary, stepTexts, violationWhen } from "./reportText.js";
import { sequenceDiagram } from "./sequenceDiagram.js";
import { counterexampleOf, reasonOf } from "../src/runner/suiteResult.js";

/**
 * `index.html`: one self-contained page (inline CSS, no script, no external asset; a CSP that
 * forbids any fetch) with the run summary, a row per property, and a section per counterexample:
 * steps, violations, sequence diagram, wire log, frames with hex, replay command.
 */
export function renderHtml(r: Report): string {
  const c = countReportVerdicts(r);
  const title = `isoconf: ${r.run.suite} suite, ${c.fail} failed of ${r.properties.length}`;
  const body = [
    `<header><h1>isoconf report: ${html(r.run.suite)} suite</h1><p class="run">dialect ${html(r.run.dialect)} · target ${html(r.run.target)} · seed ${r.run.seed}</p></header>`,
    r.masked ? "" : `<p class="warn" id="masking-off">${html(MASKING_OFF)}</p>`,
    r.run.interrupted ? `<p class="warn">${html(stoppedText(r.run, r.settings.runs))}</p>` : "",
    summary(r),
    propertyTable(r),
    ...r.properties.filter((p) => counterexampleOf(p)).map((p, i) => counterexample(r, p, i)),
    `<footer>isoconf ${html(r.version)} · started ${html(r.settings.startedAt.toISOString())} · card data ${r.masked ? "masked" : "NOT masked"}</footer>`,
  ];
  return [
    "<!DOCTYPE html>",
    `<html lang="en">`,
    "<head>",
    `<meta charset="utf-8">`,
    `<meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    `<title>${html(title)}</title>`,
    `<style>${HTML_STYLE}</style>`,
    "</head>",
    "<body>",
    ...body.filter((s) => s !== ""),
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

const VERDICT_WORD = { pass: "passed", fail: "failed", flaky: "flaky", untested: "untested", "n/a": "n/a", skipped: "skipped", waived: "waived" } as const;
/** A verdict as a CSS class name (`n/a` has a slash). */
const verdictClass = (v: ReportVerdict) => `v-${v.replace("/", "")}`;

function summary(r: Report): string {
  const c = countReportVerdicts(r);
  const counts = REPORT_VERDICTS.filter((v) => v !== "waived" || c.waived > 0).map((v) => `<li class="${verdictClass(v)}">${c[v]} ${VERDICT_WORD[v]}</li>`);
  const facts: Array<[string, string]> = [
    ["suite", r.run.suite],
    ["dialect", r.run.dialect],
    ["target", r.run.target],
    ["seed", String(r.run.seed)],
    ["started", r.settings.startedAt.toISOString()],
    ["duration", `${seconds(r.run.durationMs)} s`],
    ["scenarios", `${r.run.scenarios} generated, ${r.run.executions} executions (shrinking and flake checks included), ${r.run.requests} requests`],
    ["response timeout", `${r.settings.responseTimeoutMs} ms`],
    ["card data", r.masked ? "masked" : "NOT masked"],
    ["isoconf", r.version],
  ];
  return [
    `<section id="summary"><h2>Summary</h2>`,
    `<ul class="counts">${counts.join("")}</ul>`,
    `<table class="facts">${facts.map(([k, v]) => `<tr><th>${k}</th><td>${html(v)}</td></tr>`).join("")}</table>`,
    "</section>",
  ].join("\n");
}

const badge = (p: ReportProperty) => `<span class="badge ${verdictClass(verdictOf(p))}">${verdictOf(p)}</span>`;
const anchor = (p: ReportProperty) => `p-${fileStem(p.id)}`;

function propertyTable(r: Report): string {
  const rows = r.properties.map((p) => {
    const id = counterexampleOf(p) ? `<a href="#${anchor(p)}">${html(p.id)}</a>` : html(p.id);
    const note = [p.waiver !== undefined ? `waived: ${p.waiver}` : "", judgedText(p) ?? "", reasonOf(p) ?? "", counterexampleOf(p) ? shrinkSummary(p) : ""].filter((s) => s !== "").join("; ");
    return `<tr><td>${id}</td><td>${html(p.title)}</td><td>${badge(p)}</td><td>${html(note)}</td></tr>`;
  });
  return `<section id="properties"><h2>Properties</h2>\n<table>\n<thead><tr><th>ID</th><th>property</th><th>verdict</th><th>note</th></tr></thead>\n<tbody>\n${rows.join("\n")}\n</tbody>\n</table>\n</section>`;
}

function counterexample(r: Report, p: ReportProperty, index: number): string {
  const cx = counterexampleOf(p)!;
  const id = anchor(p);
  const proving = provingEvents(cx);
  const stem = fileStem(p.id);
  const violations = cx.violations.map((v, i) => {
    const events = evidenceSeqs(v).map((s) => `<a href="#${id}-e${s}">#${s}</a>`).join(" ");
    return `<tr><td>${i + 1}</td><td>${html(v.message)}</td><td>${html(violationWhen(cx, v))}</td><td>${html(v.expected)}</td><td>${html(v.actual)}</td><td>${events}</td></tr>`;
  });
  return [
    `<section class="cx" id="${id}">`,
    `<h2>${html(`${p.id} ${p.title}`)} ${badge(p)}</h2>`,
    `<p class="req">${html(p.requirement)}</p>`,
    `<p>Reference: ${html(p.reference)}</p>`,
    `<p>${html([p.waiver !== undefined ? `waived: ${p.waiver}` : "", reasonOf(p) ?? "", shrinkSummary(p)].filter((s) => s !== "").join("; "))}</p>`,
    `<h3>Steps</h3>`,
    `<ol>${stepTexts(cx).map((s) => `<li><code>${html(s)}</code></li>`).join("")}</ol>`,
    `<h3>Violations</h3>`,
    `<table class="violations">\n<thead><tr><th>#</th><th>what happened</th><th>when</th><th>expected</th><th>actual</th><th>evidence</th></tr></thead>\n<tbody>\n${violations.join("\n")}\n</tbody>\n</table>`,
    `<h3>Sequence</h3>`,
    `<figure>${sequenceDiagram(cx.trace, proving, `sd${index}`, `Sequence of the counterexample for ${p.id}`)}</figure>`,
    `<h3>Wire log</h3>`,
    wireLogHtml(cx.trace, proving, r.dialect, id),
    `<h3>Frames</h3>`,
    framesHtml(cx.trace, proving, r.dialect, id),
    `<h3>Replay</h3>`,
    `<pre><code>${html(replayCommand(r.outDir, p.id))}</code></pre>`,
    `<p>Files: <a href="${html(stem)}.md">bug report</a> · <a href="${html(stem)}.scenario.json">scenario</a> · <a href="${html(stem)}.trace.jsonl">trace${r.masked ? " (masked)" : ""}</a></p>`,
    "</section>",
  ].join("\n");
}
