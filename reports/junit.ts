import { flattenLines, xmlAttr, xmlText } from "./escape.js";
import { MASKING_OFF, verdictOf, type Report, type ReportProperty } from "./report.js";
import { countsLine, evidenceLines, stoppedText, seconds } from "./reportText.js";

/**
 * `junit.xml`: `<testsuites>` holding one `<testsuite>` (the suite), one `<testcase>` per
 * property in catalogue order, `classname="isoconf.<suite>"`, `name="ID title"`. Valid against
 * the common JUnit schema (junit-10.xsd as Jenkins, GitLab and pytest use it).
 *
 * Verdicts as JUnit has them (it knows only pass, failure, error and skipped):
 * - fail: `<failure message="first violation" type="ID">` with the evidence as text;
 * - skipped: `<skipped message="reason"/>`;
 * - flaky: passes, with a `<system-out>` note and the evidence: it is not a failure, as in the
 *   exit code, but CI shows it;
 * - waived: `<skipped message="waived: reason"/>`, and the evidence in `<system-out>`.
 * `errors` is always 0: when the kit itself cannot run, it writes no report (exit code 2).
 *
 * Testcases carry no `time`: properties are checked together over the same scenarios, so a
 * time per property would be made up. The suite's `time` is the run's, in seconds.
 */
export function renderJunit(r: Report): string {
  const cases = r.properties.map((p) => testcase(p, r));
  const failures = cases.filter((c) => c.kind === "failure").length;
  const skipped = cases.filter((c) => c.kind === "skipped").length;
  const tests = cases.length;
  const time = seconds(r.run.durationMs);
  // The Ant schema's timestamp has no zone: the start in UTC; the full ISO time is a property.
  const timestamp = r.settings.startedAt.toISOString().slice(0, 19);
  const suiteOut = [countsLine(r)];
  if (!r.masked) suiteOut.push(MASKING_OFF);
  if (r.run.interrupted) suiteOut.push(stoppedText(r.run, r.settings.runs));
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="isoconf" tests="${tests}" failures="${failures}" errors="0" time="${time}">`,
    `  <testsuite name="${xmlAttr(r.run.suite)}" tests="${tests}" failures="${failures}" errors="0" skipped="${skipped}" time="${time}" timestamp="${timestamp}">`,
    `    <properties>`,
    ...runProperties(r).map(([name, value]) => `      <property name="${xmlAttr(name)}" value="${xmlAttr(value)}"/>`),
    `    </properties>`,
    ...cases.map((c) => c.xml),
    `    <system-out>${xmlText(suiteOut.join("\n"))}</system-out>`,
    `  </testsuite>`,
    `</testsuites>`,
    "",
  ].join("\n");
}

function runProperties(r: Report): Array<[string, string]> {
  return [
    ["isoconf.version", r.version],
    ["isoconf.dialect", r.run.dialect],
    ["isoconf.target", r.run.target],
    ["isoconf.seed", String(r.run.seed)],
    ["isoconf.startedAt", r.settings.startedAt.toISOString()],
    ["isoconf.scenarios", String(r.run.scenarios)],
    ["isoconf.executions", String(r.run.executions)],
    ["isoconf.interrupted", String(r.run.interrupted)],
    ["isoconf.masking", r.masked ? "on" : `off: ${MASKING_OFF}`],
  ];
}

function testcase(p: ReportProperty, r: Report): { kind: "pass" | "failure" | "skipped"; xml: string } {
  const open = `    <testcase classname="${xmlAttr(`isoconf.${r.run.suite}`)}" name="${xmlAttr(`${p.id} ${p.title}`)}"`;
  const evidence = () => xmlText(evidenceLines(p, r.outDir).join("\n"));
  const element = (body: string[]) => [`${open}>`, ...body.map((l) => `      ${l}`), `    </testcase>`].join("\n");
  switch (verdictOf(p)) {
    case "pass":
      return { kind: "pass", xml: `${open}/>` };
    case "fail": {
      const message = flattenLines(p.counterexample?.violations[0]?.message ?? p.requirement);
      return { kind: "failure", xml: element([`<failure message="${xmlAttr(message)}" type="${xmlAttr(p.id)}">${evidence()}</failure>`]) };
    }
    case "skipped":
      return { kind: "skipped", xml: element([`<skipped message="${xmlAttr(p.reason ?? "not run")}"/>`]) };
    case "flaky":
      return { kind: "pass", xml: element([`<system-out>${xmlText(`flaky, not counted as a failure: ${p.reason ?? ""}\n`)}${evidence()}</system-out>`]) };
    case "waived": {
      const body = [`<skipped message="${xmlAttr(`waived: ${p.waiver}`)}"/>`];
      if (p.counterexample) body.push(`<system-out>${xmlText(`waived ${p.verdict}:\n`)}${evidence()}</system-out>`);
      return { kind: "skipped", xml: element(body) };
    }
  }
}
