import { join } from "node:path";
import type { Violation } from "../src/runner/property.js";
import { type Counterexample, counterexampleOf, foundAfterOf, type PropertyResult, shardShare, type SuiteResult, type Verdict } from "../src/runner/suiteResult.js";
import { describeStep } from "../src/scenario/scenario.js";
import { decodeErrorOf, detailOf, messageOf, type TraceEvent } from "../src/trace/traceEvent.js";
import { shellWord } from "./escape.js";
import { countReportVerdicts, fileStem, type Report } from "./report.js";

/**
 * The sentences every format shares, as plain text: each format escapes them its own way. One
 * wording everywhere, so a lab reading the TAP, the HTML and the bug report sees the same thing.
 */

/** The replay command for a property's scenario file, ready to paste into a shell. */
export const replayCommand = (dir: string, id: string): string => `npx isoconf replay ${shellWord(join(dir, `${fileStem(id)}.scenario.json`))}`;

/** Violations the short formats (console, TAP, JUnit) show; the HTML and bug reports show all. */
export const SHOWN_VIOLATIONS = 3;

export const stepTexts = (cx: Counterexample): string[] => cx.scenario.steps.map((st) => describeStep(cx.scenario, st));

/** `found after 36 scenario(s); shrunk from 10 to 1 step(s) in 55 run(s)` */
export function shrinkSummary(p: PropertyResult): string {
  const cx = counterexampleOf(p);
  const found = foundAfterOf(p) !== undefined ? `found after ${foundAfterOf(p)} scenario(s)` : "";
  if (!cx) return found;
  // Flaky failures are not shrunk: a scenario that does not fail every time cannot guide shrinking.
  const shrunk =
    cx.shrinkRuns === 0 && cx.originalSteps === cx.scenario.steps.length
      ? `not shrunk (${cx.originalSteps} step(s))`
      : `shrunk from ${cx.originalSteps} to ${cx.scenario.steps.length} step(s) in ${cx.shrinkRuns} run(s)`;
  return found ? `${found}; ${shrunk}` : shrunk;
}

/** What a pass stands on, `judged 12 answers`; undefined for other verdicts (their reason says it). */
export const judgedText = (p: PropertyResult): string | undefined =>
  p.verdict === "pass" ? `judged ${p.judged} ${p.judges}${p.limit !== undefined ? `; ${p.limit}` : ""}` : undefined;

export const violationText = (v: Violation): string[] => [v.message, `expected: ${v.expected}`, `actual:   ${v.actual}`];

/** `host suite, dialect cup, target …, seed 42` */
export const runLine = (r: Report): string => `${r.run.suite} suite, dialect ${r.run.dialect}, target ${r.run.target}, seed ${r.run.seed}`;

/** "8 passed, 1 failed, 0 flaky, 1 untested, 0 n/a, 0 skipped": every verdict, always, so a reader never mistakes a gap for a pass. */
export const countsText = (c: Record<Verdict, number>): string =>
  `${c.pass} passed, ${c.fail} failed, ${c.flaky} flaky, ${c.untested} untested, ${c["n/a"]} n/a, ${c.skipped} skipped`;

/** The verdict counts (and waived when any), then the run's figures. */
export function countsLine(r: Report): string {
  const c = countReportVerdicts(r);
  const waived = c.waived > 0 ? `, ${c.waived} waived` : "";
  return (
    `${countsText(c)}${waived}` +
    ` (${r.run.scenarios} scenarios, ${r.run.executions} executions, ${r.run.requests} requests, ${seconds(r.run.durationMs)} s)`
  );
}

/** Why a run ended before its scenarios, for every format: a pass then means only that no failure was found so far. */
export function stoppedText(run: Pick<SuiteResult, "scenarios" | "stopped" | "shard">, runs: number): string {
  const after = `after ${run.scenarios} of ${shardShare(runs, run.shard)} scenarios`;
  const why =
    run.stopped?.reason === "deadline"
      ? `the run reached its deadline ${after}`
      : run.stopped?.reason === "kit-error"
        ? `the run stopped ${after}: ${run.stopped.message ?? "the kit could not run a scenario"}`
        : run.stopped?.reason === "sut-down"
          ? `the run stopped ${after}, the rest not run: ${run.stopped.message ?? "the SUT stopped answering"}`
          : `the run was interrupted ${after}`;
  return `${why}; a pass means only that no failure was found so far`;
}

/**
 * The run stopped before its scenarios were done (Ctrl-C, SIGTERM, or a scenario the kit could
 * not run): a property that has not failed was not judged to the end, and CI files must not show
 * it as a pass. A run that reached its own --deadline-ms spent the budget it was given: its passes
 * stand, with the count of scenarios beside them.
 */
export const cutShort = (run: Pick<SuiteResult, "interrupted" | "stopped">): boolean => run.interrupted && run.stopped?.reason !== "deadline";

export const seconds = (ms: number): string => (ms / 1000).toFixed(3);

/** Milliseconds on the trace clock, without noise: `0`, `12.5`. */
export const millis = (t: number): string => String(Math.round(t * 10) / 10);

// ---- trace events ----

export const isFrame = (e: TraceEvent): boolean => e.kind === "frame";

/** Which way, in words short enough for a table column. */
export const DIRECTION_TEXT: Record<TraceEvent["dir"], string> = { "kit→sut": "→ SUT", "sut→kit": "← SUT", kit: "kit" };

/** A frame as an arrow label: `0200 STAN 000002`, the response code when there is one, or why it did not decode. */
export function frameLabel(e: TraceEvent): string {
  if (e.kind === "keepalive") return "keep-alive";
  if (e.kind === "link-error") return `link error: ${e.detail.code}`;
  if (e.kind !== "frame") return e.kind;
  if (e.decodeError) return `undecodable: field ${e.decodeError.field} ${e.decodeError.kind}`;
  const m = e.message;
  if (!m) return "frame";
  const stan = m.fields["11"] !== undefined ? ` STAN ${m.fields["11"]}` : "";
  const rc = m.fields["39"] !== undefined ? ` rc ${m.fields["39"]}` : "";
  return `${m.mti}${stan}${rc}`;
}

/** Fields a wire log shows beside MTI, STAN and 39: card (masked), amount, processing code, RRN, auth code, terminal. */
export const KEY_FIELDS = ["2", "35", "3", "4", "37", "38", "41"];

/** One line for a wire log's last column: key fields, the decode error, or what a kit event says. */
export function eventSummary(e: TraceEvent): string {
  const d = decodeErrorOf(e);
  if (d) return `decode error: field ${d.field}${d.offset !== undefined ? ` at byte ${d.offset}` : ""}: ${d.reason} (${d.kind})`;
  const m = messageOf(e);
  if (m) return KEY_FIELDS.filter((k) => m.fields[k] !== undefined).map((k) => `${k}=${m.fields[k]}`).join(" ");
  // A kit event: its kind, the detail named after the kind first (`fault drop`), the rest as key=value, then its sentence.
  const value = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));
  const entries = Object.entries(detailOf(e) ?? {});
  const lead = entries.filter(([k]) => k === e.kind).map(([, v]) => value(v));
  const rest = entries.filter(([k]) => k !== e.kind).map(([k, v]) => `${k}=${value(v)}`);
  return [e.kind, ...lead, ...rest, e.text ? `— ${e.text}` : ""].filter((s) => s !== "").join(" ");
}

/** The events a violation names, in wire-log order, each once: properties list them in their own order. */
export const evidenceSeqs = (v: Violation): number[] => [...new Set(v.events)].sort((a, b) => a - b);

/**
 * When in the scenario a violation happened, from its first evidence event: a step
 * (`step 2: TERM0001 purchase(5.00)`), or the kit's own setup before the steps or teardown after
 * them (pending reversals, balance readings, settlement), which belong to no step. A failure in
 * the teardown says so, so the steps above it are not read as its cause.
 */
export function violationWhen(cx: Counterexample, v: Violation): string {
  const first = evidenceSeqs(v)[0];
  const event = first === undefined ? undefined : cx.trace.find((e) => e.seq === first);
  if (event === undefined) return "the whole trace";
  if (event.step !== undefined && event.step >= 0) {
    const step = cx.scenario.steps[event.step];
    return step === undefined ? `step ${event.step + 1}` : `step ${event.step + 1}: ${describeStep(cx.scenario, step)}`;
  }
  const afterSteps = cx.trace.some((e) => e.kind === "step" && e.seq < event.seq);
  return afterSteps ? "the teardown, after the steps (pending reversals, balance readings, settlement)" : "the setup, before the steps (sign-on)";
}

/** `seq` of every event some violation names: what the reports highlight. */
export const provingEvents = (cx: Counterexample): Set<number> => new Set(cx.violations.flatMap((v) => v.events));

/** A counterexample as plain text lines: requirement, how it was found, steps, violations, replay. */
export function evidenceLines(p: PropertyResult, outDir: string, shown = SHOWN_VIOLATIONS): string[] {
  const cx = counterexampleOf(p);
  const lines = [`${p.id}: ${p.requirement}`, `reference: ${p.reference}`];
  if (!cx) return lines;
  lines.push(shrinkSummary(p), "steps:", ...stepTexts(cx).map((s, i) => `  ${i + 1}. ${s}`), "violations:");
  for (const v of cx.violations.slice(0, shown)) lines.push(...violationText(v).map((l, i) => (i === 0 ? `  - ${l}` : `    ${l}`)));
  if (cx.violations.length > shown) lines.push(`  (+${cx.violations.length - shown} more)`);
  lines.push(`replay: ${replayCommand(outDir, p.id)}`);
  return lines;
}
