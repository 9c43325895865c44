import type { TraceEvent } from "../src/trace/traceEvent.js";
import { flattenLines, html, showControls } from "./escape.js";
import { eventSummary, frameLabel, millis } from "./reportText.js";

/** Geometry, in SVG user units (px at 100 %). */
const WIDTH = 780;
const KIT_X = 190;
const SUT_X = 650;
const HEAD_Y = 10;
const HEAD_H = 26;
const FIRST_ROW_Y = HEAD_Y + HEAD_H + 26;
const ROW = 26;
/** A note's second line sits this far below its first; its row grows by as much. */
const LINE = 13;
/**
 * The advance of one character at the diagram's 11 px monospace font, with some room: 0.6 em
 * in the usual monospace fonts (DejaVu Sans Mono, Menlo, Liberation Mono), less in Consolas.
 */
const CHAR_PX = 6.8;
/** No text comes nearer the SUT's lifeline than this; only the SUT's name crosses it. */
const CLEAR_PX = 8;
/** Where the kit's notes start, and step labels. */
const NOTE_X = KIT_X + 12;
const STEP_X = KIT_X - 56;
/** Characters that fit: arrow labels between the lifelines, notes and step labels from their start to the SUT's lifeline. */
const ARROW_LABEL_CHARS = Math.floor((SUT_X - KIT_X - 2 * CLEAR_PX) / CHAR_PX);
const NOTE_CHARS = Math.floor((SUT_X - CLEAR_PX - NOTE_X) / CHAR_PX);
const STEP_CHARS = Math.floor((SUT_X - CLEAR_PX - STEP_X) / CHAR_PX);
/** A longer note wraps onto a second line, and is cut after it. */
const NOTE_LINES = 2;

const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** Text as the diagram shows it, measured before it is fitted: one line, invisible characters as `\uXXXX` (six wide, not one). */
const shown = (s: string) => flattenLines(showControls(s));

/**
 * `text` in at most `lines` lines of at most `width` characters, broken at a space where one
 * is in the line's second half; the last line ends in `…` if the text does not fit.
 */
function wrapText(text: string, width: number, lines: number): string[] {
  const out: string[] = [];
  let rest = text;
  while (rest.length > width && out.length < lines - 1) {
    const space = rest.lastIndexOf(" ", width);
    const at = space > width / 2 ? space : width;
    out.push(rest.slice(0, at).trimEnd());
    rest = rest.slice(at).trimStart();
  }
  out.push(cut(rest, width));
  return out;
}

/**
 * A `<text>` of `lines` (the first at `y`, each next one LINE below), inside a `<g>` whose
 * `<title>` (the tooltip) holds `full` when the lines do not show all of it.
 */
function textLines(cssClass: string, x: number, y: number, lines: readonly string[], full: string): string {
  const body = lines.map((l, i) => (i === 0 ? html(l) : `<tspan x="${x}" dy="${LINE}">${html(l)}</tspan>`)).join("");
  const text = `<text class="${cssClass}" x="${x}" y="${y}">${body}</text>`;
  const whole = lines.join("").replace(/\s+/g, "") === full.replace(/\s+/g, "");
  return whole ? text : `<g><title>${html(full)}</title>${text}</g>`;
}

/**
 * A sequence diagram of a trace as inline SVG: lifelines for isoconf and the SUT, one row per
 * event in `seq` order (so rows match the wire log), an arrow per frame labelled like
 * `0200 STAN 000002 rc 00`, undecodable frames and link errors dashed, faults and timeouts
 * marked on isoconf's lifeline, steps as separators. Events in `proving` (named by a violation)
 * are drawn in the highlight colour. `id` prefixes the marker ids: one page holds many diagrams.
 * Text stays clear of the SUT's lifeline: a long note wraps onto a second line (its row grows),
 * and whatever still does not fit is cut with `…`, the full text in a tooltip (and the wire log).
 */
export function sequenceDiagram(trace: readonly TraceEvent[], proving: ReadonlySet<number>, id: string, title: string): string {
  const conns = new Set(trace.flatMap((e) => (e.conn ? [e.conn] : [])));
  const columns = raceLanes(trace) ?? scenarioLanes(trace);
  const lanes = columns?.x;
  const rows: string[] = [];
  let y = FIRST_ROW_Y;
  for (const e of trace) {
    const drawn = row(e, y, proving.has(e.seq), id, conns.size > 1 && (columns === undefined || columns.shared), lanes);
    rows.push(...drawn.parts);
    y += ROW + (drawn.lines - 1) * LINE;
  }
  const height = y;
  return [
    `<svg class="seq" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-labelledby="${id}-t">`,
    `<title id="${id}-t">${html(title)}</title>`,
    "<defs>",
    ...(["n", "bad", "hit"] as const).map(
      (k) => `<marker id="${id}-${k}" class="head-${k}" viewBox="0 0 10 10" refX="10" refY="5" markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z"/></marker>`,
    ),
    "</defs>",
    ...(columns === undefined ? lifeline(KIT_X, "isoconf", height) : columns.heads.flatMap(([name, x]) => lifeline(x, name, height, LANE_HEAD_W))),
    ...lifeline(SUT_X, "SUT", height),
    ...rows,
    "</svg>",
  ].join("\n");
}

function lifeline(x: number, name: string, height: number, width = 110): string[] {
  return [
    `<rect class="actor" x="${x - width / 2}" y="${HEAD_Y}" width="${width}" height="${HEAD_H}" rx="4"/>`,
    `<text class="actor" x="${x}" y="${HEAD_Y + 17}">${name}</text>`,
    `<line class="life" x1="${x}" y1="${HEAD_Y + HEAD_H}" x2="${x}" y2="${height - 4}"/>`,
  ];
}

/** One event's row at `y`: what it draws, and on how many lines its text is (the row grows by LINE per extra one). */
function row(e: TraceEvent, y: number, hit: boolean, id: string, showConn: boolean, lanes: ReadonlyMap<string, number> | undefined): { parts: string[]; lines: number } {
  const cls = (base: string) => `${base}${hit ? " hit" : ""}`;
  const seq = `<text class="${cls("num")}" x="6" y="${y + 4}">#${e.seq}${e.t > 0 ? ` ${millis(e.t)} ms` : ""}${hit ? " ◆" : ""}</text>`;
  const wire = e.dir !== "kit" && (e.kind === "frame" || e.kind === "keepalive" || e.kind === "link-error");
  if (wire) {
    const bad = e.kind === "link-error" || (e.kind === "frame" && e.decodeError !== undefined);
    const kitX = (e.conn !== undefined && lanes?.get(e.conn)) || KIT_X;
    const [x1, x2] = e.dir === "kit→sut" ? [kitX, SUT_X] : [SUT_X, kitX];
    const head = hit ? "hit" : bad ? "bad" : "n";
    const label = shown(`${showConn && e.conn ? `[${e.conn}] ` : ""}${frameLabel(e)}`);
    const kind = cls(`msg${bad ? " bad" : ""}${e.kind === "keepalive" ? " ka" : ""}`);
    return {
      parts: [
        seq,
        `<line class="${kind}" x1="${x1}" y1="${y}" x2="${x2}" y2="${y}" marker-end="url(#${id}-${head})"/>`,
        textLines(cls(`label${bad ? " bad" : ""}`), (kitX + SUT_X) / 2, y - 5, [cut(label, Math.floor((SUT_X - kitX - 2 * CLEAR_PX) / CHAR_PX))], label),
      ],
      lines: 1,
    };
  }
  // Kit events sit beside isoconf's lifeline, after their mark (if any), left-aligned: the longest fit there.
  const note = (cssClass: string, mark: string, full: string) => {
    const text = shown(full);
    const lines = wrapText(text, NOTE_CHARS, NOTE_LINES);
    return { parts: [seq, ...(mark ? [mark] : []), textLines(cls(cssClass), NOTE_X, y + 4, lines, text)], lines: lines.length };
  };
  switch (e.kind) {
    case "step": {
      const label = shown(stepLabel(e));
      return {
        parts: [seq, `<line class="step" x1="${KIT_X - 60}" y1="${y}" x2="${WIDTH - 8}" y2="${y}"/>`, textLines(cls("step"), STEP_X, y - 4, [cut(label, STEP_CHARS)], label)],
        lines: 1,
      };
    }
    case "fault":
      return note("fault", `<path class="${cls("fault")}" d="M${KIT_X},${y - 7}L${KIT_X + 7},${y}L${KIT_X},${y + 7}L${KIT_X - 7},${y}z"/>`, `fault: ${eventSummary(e).replace(/^fault /, "")}`);
    case "timeout":
      return note("timeout", `<circle class="${cls("timeout")}" cx="${KIT_X}" cy="${y}" r="6"/>`, `timeout: ${eventSummary(e).replace(/^timeout /, "")}`);
    default:
      return note("event", "", eventSummary(e));
  }
}

/** Where raced connections' lifelines stand, side by side from isoconf's own; at most this many. */
const LANE_GAP = 92;
const MAX_LANES = 4;
const LANE_HEAD_W = 86;

/** Lifelines of the kit's side when it has more than one: each connection's x, and each lifeline's name and x. */
interface Columns {
  x: Map<string, number>;
  heads: [name: string, x: number][];
  /** Whether a lifeline carries more than one connection, so arrows still name theirs. */
  shared: boolean;
}

/** Where `count` lifelines stand, side by side around isoconf's own place. */
function columnsAt(count: number): number[] {
  return Array.from({ length: count }, (_, i) => KIT_X - ((count - 1) * LANE_GAP) / 2 + i * LANE_GAP);
}

/**
 * When the kit raced copies of a request over more than one connection (race faults), each of
 * those connections is a lifeline of its own, so the copies and their answers show side by side.
 * Otherwise (one connection at a time) undefined.
 */
function raceLanes(trace: readonly TraceEvent[]): Columns | undefined {
  if (!trace.some((e) => e.kind === "fault" && /^race_/.test(String(e.detail?.fault)))) return undefined;
  const conns = [...new Set(trace.flatMap((e) => (e.conn !== undefined && e.kind === "frame" ? [e.conn] : [])))];
  if (conns.length < 2 || conns.length > MAX_LANES) return undefined;
  const xs = columnsAt(conns.length);
  return { x: new Map(conns.map((c, i) => [c, xs[i]])), heads: conns.map((c, i) => [`isoconf ${c}`, xs[i]]), shared: false };
}

/**
 * When a failure across the run brought in frames of an earlier scenario (connections named
 * `s20.c1`, see `appendEarlier`), each scenario is a lifeline of its own: this one's, then each
 * earlier one's, in the order they come.
 */
function scenarioLanes(trace: readonly TraceEvent[]): Columns | undefined {
  const groupOf = (conn: string) => /^s(\d+)\./.exec(conn)?.[1];
  const conns = [...new Set(trace.flatMap((e) => (e.conn !== undefined && e.kind === "frame" ? [e.conn] : [])))];
  const groups = [...new Set(conns.map(groupOf))];
  if (groups.length < 2 || groups.length > MAX_LANES || groups[0] !== undefined) return undefined;
  const xs = columnsAt(groups.length);
  const x = new Map(conns.map((c) => [c, xs[groups.indexOf(groupOf(c))]]));
  return { x, heads: groups.map((g, i) => [g === undefined ? "isoconf" : `scenario ${g}`, xs[i]]), shared: true };
}

/** Steps are numbered from 1 as in the bug report; setup and teardown (step -1 or none) name themselves. */
const stepLabel = (e: TraceEvent) => (e.step !== undefined && e.step >= 0 ? `step ${e.step + 1}: ${e.text ?? ""}` : (e.text ?? "step"));
