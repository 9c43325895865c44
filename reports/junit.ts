import { flattenLines, xmlAttr, xmlText } from "./escape.js";
import { MASKING_OFF, verdictOf, type Report, type ReportProperty } from "./report.js";
import { countsLine, cutShort, evidenceLines, stoppedText, seconds } from "./reportText.js";
import { counterexampleOf, reasonOf } from "../src/runner/suiteResult.js";

/**
 * `junit.xml`: `<testsuites>` holding one `<testsuite>` (the suite), one `<testcase>` per
 * property in catalogue order, `classname="isoconf.<suite>"`, `name="ID title"`. Valid against
 * the common JUnit schema (junit-10.xsd as Jenkins, GitLab and pytest use it).
 *
 * Verdicts as JUnit has them (it knows only pass, failure, error and skipped):
 * - fail: `<failure message="first violation" type="ID">` with the evidence as text;
 * - skipped: `<skipped message="reason"/>`; untested and n/a: `<skipped message="untested: reason"/>`;
 * - flaky: passes, with a `<system-out>` note and the evidence: it is not a failure, as in the
 *   exit code, but CI shows it;
 * - waived: `<skipped message="waived: reason"/>`, and the evidence in `<system-out>`.
 * A run cut short (`cutShort`: Ctrl-C, SIGTERM, a scenario the kit could not run) shows its
 * unfailed properties as `<skipped>` with why, and one more testcase, "isoconf run", with an
 * `<error>` saying why the run stopped: `errors="1"`, so CI never reads a stopped run as green.
 *
 * Testcases carry no `time`: properties are checked together over the same scenarios, so a
 * time per property would be made up. The suite's `time` is the run's, in seconds.
 */
export function renderJunit(r: Report): string {
  const stopped = cutShort(r.run) ? stoppedText(r.run, r.settings.runs) : undefined;
  const cases = r.properties.map((p) => (stopped !== undefined && verdictOf(p) === "pass" ? notJudged(p, r, stopped) : testcase(p, r)));
  if (stopped !== undefined) {
    cases.push({ kind: "error", xml: `    <testcase classname="${xmlAttr(`isoconf.${r.run.suite}`)}" name="isoconf run"><error message="${xmlAttr(stopped)}" type="${xmlAttr(r.run.stopped?.reason ?? "interrupted")}"/></testcase>` });
  }
  const errors = cases.filter((c) => c.kind === "error").length;
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
    `<testsuites name="isoconf" tests="${tests}" failures="${failures}" errors="${errors}" time="${time}">`,
    `  <testsuite name="${xmlAttr(r.run.suite)}" tests="${tests}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${time}" timestamp="${timestamp}">`,
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

type Testcase = { kind: "pass" | "failure" | "skipped" | "error"; xml: string };

function notJudged(p: ReportProperty, r: Report, stopped: string): Testcase {
  return { kind: "skipped", xml: `    <testcase classname="${xmlAttr(`isoconf.${r.run.suite}`)}" name="${xmlAttr(`${p.id} ${p.title}`)}">\n      <skipped message="${xmlAttr(`not judged to the end: ${stopped}`)}"/>\n    </testcase>` };
}

function testcase(p: ReportProperty, r: Report): Testcase {
  const open = `    <testcase classname="${xmlAttr(`isoconf.${r.run.suite}`)}" name="${xmlAttr(`${p.id} ${p.title}`)}"`;
  const evidence = () => xmlText(evidenceLines(p, r.outDir).join("\n"));
  const element = (body: string[]) => [`${open}>`, ...body.map((l) => `      ${l}`), `    </testcase>`].join("\n");
  switch (verdictOf(p)) {
    case "pass":
      if (p.verdict === "pass" && p.limit !== undefined) return { kind: "pass", xml: element([`<system-out>${xmlText(p.limit)}</system-out>`]) };
      return { kind: "pass", xml: `${open}/>` };
    case "fail": {
      const message = flattenLines(counterexampleOf(p)?.violations[0]?.message ?? p.requirement);
      return { kind: "failure", xml: element([`<failure message="${xmlAttr(message)}" type="${xmlAttr(p.id)}">${evidence()}</failure>`]) };
    }
    case "skipped":
      return { kind: "skipped", xml: element([`<skipped message="${xmlAttr(reasonOf(p) ?? "not run")}"/>`]) };
    case "untested":
    case "n/a":
      return { kind: "skipped", xml: element([`<skipped message="${xmlAttr(`${verdictOf(p)}: ${reasonOf(p) ?? ""}`)}"/>`]) };
    case "flaky":
      return { kind: "pass", xml: element([`<system-out>${xmlText(`flaky, not counted as a failure: ${reasonOf(p) ?? ""}\n`)}${evidence()}</system-out>`]) };
    case "waived": {
      const body = [`<skipped message="${xmlAttr(`waived: ${p.waiver}`)}"/>`];
      if (counterexampleOf(p)) body.push(`<system-out>${xmlText(`waived ${p.verdict}:\n`)}${evidence()}</system-out>`);
      return { kind: "skipped", xml: element(body) };
    }
  }
}
