import assert from "node:assert/strict";
import { renderBugReport } from "../../reports/bugReport.js";
import { renderHtml } from "../../reports/html.js";
import { buildReport } from "../../reports/report.js";
import { counterexampleOf, type SuiteResult } from "../../src/runner/suiteResult.js";
import { cup, settings, suiteResult } from "./support/fixture.js";

/** The fixture run with H-REV-9's first violation naming its events out of order, as a property may. */
function unorderedEvidence(): SuiteResult {
  return {
    ...suiteResult,
    properties: suiteResult.properties.map((p) => {
      if (p.id !== "H-REV-9") return p;
      const cx = counterexampleOf(p)!;
      return { ...p, counterexample: { ...cx, violations: [{ ...cx.violations[0], events: [9, 7, 11, 8] }, ...cx.violations.slice(1)] } };
    }),
  };
}

describe("reports: evidence order", () => {
  const result = unorderedEvidence();
  const report = buildReport(result, cup, "out", "0.0.0-test", settings(true));

  it("the HTML Violations table links the evidence in wire-log order", () => {
    const row = renderHtml(report)
      .split("\n")
      .find((l) => l.startsWith("<tr><td>1</td><td>the reversal of STAN 000002"));
    assert.ok(row, "the first violation's row");
    assert.deepEqual(
      [...row.matchAll(/>#(\d+)<\/a>/g)].map((m) => m[1]),
      ["7", "8", "9", "11"],
    );
  });

  it("the bug report's Evidence line names them in wire-log order", () => {
    const md = renderBugReport(report, report.properties.find((p) => p.id === "H-REV-9")!);
    assert.ok(md.includes("   - **Evidence:** wire log #7, #8, #9, #11\n"), md);
  });

  it("sorting leaves the violation's own list as the property gave it", () => {
    renderHtml(report);
    renderBugReport(report, report.properties.find((p) => p.id === "H-REV-9")!);
    assert.deepEqual(counterexampleOf(result.properties.find((p) => p.id === "H-REV-9")!)!.violations[0].events, [9, 7, 11, 8]);
  });
});
