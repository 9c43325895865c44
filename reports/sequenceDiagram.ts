import type { TraceEvent } from "../src/trace/traceEvent.js";
import { html } from "./escape.js";
import { eventSummary, frameLabel, millis } from "./reportText.js";

/** Geometry, in SVG user units (px at 100 %). */
const WIDTH = 780;
const KIT_X = 190;
const SUT_X = 650;
const HEAD_Y = 10;
const HEAD_H = 26;
const FIRST_ROW_Y = HEAD_Y + HEAD_H + 26;
const ROW = 26;
/** Labels are cut to what fits between the lifelines at the label font size (full text in the wire log). */
const ARROW_LABEL_CHARS = 70;
const NOTE_CHARS = 78;

const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/**
 * A sequence diagram of a trace as inline SVG: lifelines for isoconf and the SUT, one row per
 * event in `seq` order (so rows match the wire log), an arrow per frame labelled like
 * `0200 STAN 000002 rc 00`, undecodable frames and link errors dashed, faults and timeouts
 * marked on isoconf's lifeline, steps as separators. Events in `proving` (named by a violation)
 * are drawn in the highlight colour. `id` prefixes the marker ids: one page holds many diagrams.
 */
export function sequenceDiagram(trace: readonly TraceEvent[], proving: ReadonlySet<number>, id: string, title: string): string {
  const height = FIRST_ROW_Y + trace.length * ROW;
  const conns = new Set(trace.flatMap((e) => (e.conn ? [e.conn] : [])));
  const out = [
    `<svg class="seq" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-labelledby="${id}-t">`,
    `<title id="${id}-t">${html(title)}</title>`,
    "<defs>",
    ...(["n", "bad", "hit"] as const).map(
      (k) => `<marker id="${id}-${k}" class="head-${k}" viewBox="0 0 10 10" refX="10" refY="5" markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z"/></marker>`,
    ),
    "</defs>",
    ...lifeline(KIT_X, "isoconf", height),
    ...lifeline(SUT_X, "SUT", height),
  ];
  trace.forEach((e, i) => out.push(...row(e, FIRST_ROW_Y + i * ROW, proving.has(e.seq), id, conns.size > 1)));
  out.push("</svg>");
  return out.join("\n");
}

function lifeline(x: number, name: string, height: number): string[] {
  return [
    `<rect class="actor" x="${x - 55}" y="${HEAD_Y}" width="110" height="${HEAD_H}" rx="4"/>`,
    `<text class="actor" x="${x}" y="${HEAD_Y + 17}">${name}</text>`,
    `<line class="life" x1="${x}" y1="${HEAD_Y + HEAD_H}" x2="${x}" y2="${height - 4}"/>`,
  ];
}

function row(e: TraceEvent, y: number, hit: boolean, id: string, showConn: boolean): string[] {
  const cls = (base: string) => `${base}${hit ? " hit" : ""}`;
  const seq = `<text class="${cls("num")}" x="6" y="${y + 4}">#${e.seq}${e.t > 0 ? ` ${millis(e.t)} ms` : ""}${hit ? " ◆" : ""}</text>`;
  const wire = e.dir !== "kit" && (e.kind === "frame" || e.kind === "keepalive" || e.kind === "link-error");
  if (wire) {
    const bad = e.kind === "link-error" || e.decodeError !== undefined;
    const [x1, x2] = e.dir === "kit→sut" ? [KIT_X, SUT_X] : [SUT_X, KIT_X];
    const head = hit ? "hit" : bad ? "bad" : "n";
    const label = `${showConn && e.conn ? `[${e.conn}] ` : ""}${frameLabel(e)}`;
    const kind = cls(`msg${bad ? " bad" : ""}${e.kind === "keepalive" ? " ka" : ""}`);
    return [
      seq,
      `<line class="${kind}" x1="${x1}" y1="${y}" x2="${x2}" y2="${y}" marker-end="url(#${id}-${head})"/>`,
      `<text class="${cls(`label${bad ? " bad" : ""}`)}" x="${(KIT_X + SUT_X) / 2}" y="${y - 5}">${html(cut(label, ARROW_LABEL_CHARS))}</text>`,
    ];
  }
  // Kit events sit beside isoconf's lifeline, after their mark (if any), left-aligned: the longest fit there.
  const note = (cssClass: string, mark: string, text: string) => [
    seq,
    ...(mark ? [mark] : []),
    `<text class="${cls(cssClass)}" x="${KIT_X + 12}" y="${y + 4}">${html(cut(text, NOTE_CHARS))}</text>`,
  ];
  switch (e.kind) {
    case "step":
      return [seq, `<line class="step" x1="${KIT_X - 60}" y1="${y}" x2="${WIDTH - 8}" y2="${y}"/>`, `<text class="${cls("step")}" x="${KIT_X - 56}" y="${y - 4}">${html(cut(stepLabel(e), NOTE_CHARS))}</text>`];
    case "fault":
      return note("fault", `<path class="${cls("fault")}" d="M${KIT_X},${y - 7}L${KIT_X + 7},${y}L${KIT_X},${y + 7}L${KIT_X - 7},${y}z"/>`, `fault: ${eventSummary(e).replace(/^fault /, "")}`);
    case "timeout":
      return note("timeout", `<circle class="${cls("timeout")}" cx="${KIT_X}" cy="${y}" r="6"/>`, `timeout: ${eventSummary(e).replace(/^timeout /, "")}`);
    default:
      return note("event", "", eventSummary(e));
  }
}

/** Steps are numbered from 1 as in the bug report; setup and teardown (step -1 or none) name themselves. */
const stepLabel = (e: TraceEvent) => (e.step !== undefined && e.step >= 0 ? `step ${e.step + 1}: ${e.text ?? ""}` : (e.text ?? "step"));
