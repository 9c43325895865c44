import { renderBugReport } from "./bugReport.js";
import { renderHtml } from "./html.js";
import { renderJunit } from "./junit.js";
import { fileStem, type Report } from "./report.js";
import { RUN_FILES, renderSummaryJson } from "./summaryJson.js";
import { renderTap } from "./tap.js";
import { counterexampleOf } from "../src/runner/suiteResult.js";

/** One file of a run's output folder: its name and its whole text. */
export interface ReportFile {
  name: string;
  text: string;
}

/**
 * A report format: a pure function of the (masked) report to the files it writes. Pure, so
 * golden tests compare text and a new format is one entry below.
 */
export interface Reporter {
  name: string;
  files(r: Report): ReportFile[];
}

const one = (name: string, render: (r: Report) => string) => (r: Report) => [{ name, text: render(r) }];

export const REPORTERS: readonly Reporter[] = [
  { name: "summary", files: one("summary.json", renderSummaryJson) },
  { name: "tap", files: one(RUN_FILES.tap, renderTap) },
  { name: "junit", files: one(RUN_FILES.junit, renderJunit) },
  { name: "html", files: one(RUN_FILES.html, renderHtml) },
  {
    name: "bug-report",
    files: (r) => r.properties.filter((p) => counterexampleOf(p)).map((p) => ({ name: `${fileStem(p.id)}.md`, text: renderBugReport(r, p) })),
  },
];
