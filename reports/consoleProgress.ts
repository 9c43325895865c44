/** The console while a run goes: a progress bar redrawn in place on a terminal, plain lines in a CI log. */
import type { Progress, RunEvent } from "../src/runner/runSuite.js";
import { describeStep } from "../src/scenario/scenario.js";
import { palette, type Palette, type Style } from "./ansi.js";

export type ConsoleMode = "quiet" | "normal" | "verbose";

export interface ConsoleProgressOptions {
  write(text: string): void;
  /** A terminal: one bar line redrawn with `\r`. Otherwise whole lines only (CI logs). */
  tty: boolean;
  /** The terminal's width, or a getter so a resized window is followed (default 80). */
  columns?: number | (() => number | undefined);
  colour: boolean;
  mode: ConsoleMode;
  /** Milliseconds (default `performance.now`); injected so tests control time. Elapsed time counts from creation. */
  now?: () => number;
}

export interface ConsoleProgress {
  /** The runner's progress; called per scenario, so cheap unless a redraw is due. */
  progress(p: Progress): void;
  event(e: RunEvent): void;
  /** Redraws with the time now: call it from a timer so the clock moves while a device runs a slow scenario. */
  tick(): void;
  /** Clears the bar so the summary starts on a clean line; later calls print nothing. */
  done(): void;
}

const REDRAW_MS = 100;
/** In a CI log, a status line this often: some CI systems end a job that prints nothing for minutes. */
const HEARTBEAT_MS = { normal: 60_000, verbose: 30_000 } as const;
/** Before this many scenarios and this much search time the rate is noise: no estimate. */
const ETA_MIN_SCENARIOS = 5;
const ETA_MIN_MS = 1000;
const BAR_MIN = 10;
const BAR_MAX = 30;
const CLEAR_LINE = "\r\x1b[K";

/** `0:07`, `12:34`, `1:02:03` */
export function clock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const mmss = `${Math.floor(s / 60) % 60}:${String(s % 60).padStart(2, "0")}`;
  return s >= 3600 ? `${Math.floor(s / 3600)}:${mmss.padStart(5, "0")}` : mmss;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** A line's coloured pieces, kept apart so the line is fitted to the width before colour goes in. */
type Piece = [text: string, style?: Style];

/** The pieces cut to `width` visible characters, with `…` where text was cut. */
function fit(pieces: Piece[], width: number, paint: Palette): string {
  let room = width;
  let out = "";
  for (const [text, style] of pieces) {
    const shown = text.length <= room ? text : room > 0 ? `${text.slice(0, room - 1)}…` : "";
    out += style ? paint[style](shown) : shown;
    room -= shown.length;
    if (shown !== text) break;
  }
  return out;
}

export function createConsoleProgress(o: ConsoleProgressOptions): ConsoleProgress {
  const now = o.now ?? (() => performance.now());
  const paint = palette(o.colour);
  const verbose = o.mode === "verbose";
  const silent = o.mode === "quiet";
  const started = now();
  let last: Progress | undefined;
  let lastAt = started;
  // Search time only: the estimate is for the scenarios left to search, and shrinking (long, up to
  // its own budget, and only after a failure) would skew the rate.
  let searchMs = 0;
  /** Remaining search time as estimated at `lastAt`. */
  let eta: number | undefined;
  let bar = "";
  let drawnAt = -Infinity;
  let beatAt = started;
  let finished = false;

  const columns = () => (typeof o.columns === "function" ? o.columns() : o.columns) || 80;

  const activity = (p: Progress): Piece =>
    p.phase === "search"
      ? [`searching ${plural(p.properties, "property", "properties")}${p.lanes ? ` in ${p.lanes.busy}/${p.lanes.count} lanes` : ""}`]
      : p.phase === "shrink"
        ? [p.property ? `shrinking ${p.property}` : "shrinking", "cyan"]
        : ["re-running a failure", "yellow"];

  /** Status after the bar: scenarios, activity, failures, elapsed, estimate (only while searching: shrinking has no rate). */
  const status = (p: Progress, t: number, sep: string, elapsed: string, withActivity = true): Piece[] => {
    const left = p.phase === "search" && eta !== undefined ? eta - (t - lastAt) : undefined;
    const pieces: Piece[] = [[`${p.scenarios}/${p.total} scenarios`]];
    if (withActivity) pieces.push([sep], activity(p));
    pieces.push([sep], [`${p.failed} failed`, p.failed > 0 ? "red" : undefined], [sep], [`${clock(t - started)}${elapsed}`, "dim"]);
    if (left !== undefined && left > 0) pieces.push([sep], [`~${clock(Math.ceil(left / 1000) * 1000)} left`, "dim"]);
    return pieces;
  };

  const barLine = (p: Progress, t: number): string => {
    const width = columns() - 1; // the last column would make some terminals wrap
    const room = (pieces: Piece[]) => Math.min(BAR_MAX, width - pieces.reduce((n, [text]) => n + text.length, 0) - 3);
    const full = status(p, t, "  ", "");
    // Narrow: while searching the moving bar says what `searching N properties` says, so that goes first; then the bar.
    const pieces = room(full) >= BAR_MIN || p.phase !== "search" ? full : status(p, t, "  ", "", false);
    const size = room(pieces);
    if (size < BAR_MIN) return fit(full, width, paint);
    const filled = Math.round(size * (p.total > 0 ? Math.min(1, p.scenarios / p.total) : 1));
    return fit([["["], ["#".repeat(filled), p.failed > 0 ? "red" : "green"], ["·".repeat(size - filled), "dim"], ["] "], ...pieces], width, paint);
  };

  /** The bar at time `t`: recomputed when a redraw is due (or `force`), else the last one. */
  const redraw = (t: number, force: boolean): string => {
    if (last && (force || t - drawnAt >= REDRAW_MS)) {
      bar = barLine(last, t);
      drawnAt = t;
    }
    return bar;
  };

  /** Rewrites the bar line in place, when it changed. */
  const draw = (t: number, force: boolean) => {
    const before = bar;
    if (redraw(t, force) !== before) o.write(`\r${bar}\x1b[K`);
  };

  const heartbeat = (t: number) => {
    if (!last || t - beatAt < HEARTBEAT_MS[verbose ? "verbose" : "normal"]) return;
    beatAt = t;
    o.write(`${fit(status(last, t, ", ", " elapsed"), Infinity, paint)}\n`);
  };

  /** A line of its own: above the bar on a terminal. */
  const line = (text: string) => {
    if (!o.tty) return o.write(`${text}\n`);
    const t = now();
    o.write(`${bar ? CLEAR_LINE : ""}${text}\n${redraw(t, false)}`);
  };

  const id = (property: string) => property.padEnd(9);

  return {
    progress(p) {
      if (finished) return;
      const t = now();
      if (last?.phase === "search") searchMs += t - lastAt;
      const changed = !last || p.phase !== last.phase || p.property !== last.property || p.failed !== last.failed;
      last = p;
      lastAt = t;
      if (p.phase === "search") {
        // A search scenario is reported as it starts: the search time so far covers the ones before it.
        const ran = p.scenarios - 1;
        eta = ran >= ETA_MIN_SCENARIOS && searchMs >= ETA_MIN_MS ? ((p.total - ran) * searchMs) / ran : undefined;
      }
      if (silent) return;
      if (!o.tty) return heartbeat(t);
      draw(t, changed);
    },
    event(e) {
      if (finished || silent) return;
      if (e.kind === "scenario") {
        if (verbose) line(`scenario ${e.index}${last ? `/${last.total}` : ""}: ${e.scenario.steps.map((st) => describeStep(e.scenario, st)).join("; ")}`);
      } else if (e.kind === "found") {
        const mark = e.verdict === "fail" ? paint.red("FAIL") : paint.yellow("FLKY");
        const flaky = e.verdict === "flaky" ? " (flaky: a re-run passed)" : "";
        line(`${mark} ${id(e.property)} found after ${e.after} scenario(s), ${e.steps} step(s)${flaky}`);
      } else {
        line(`${paint.red("FAIL")} ${id(e.property)} shrunk from ${e.from} to ${e.to} step(s) in ${e.runs} run(s), ${(e.ms / 1000).toFixed(1)} s`);
      }
    },
    tick() {
      if (finished || silent || !last) return;
      const t = now();
      if (!o.tty) return heartbeat(t);
      draw(t, false);
    },
    done() {
      if (finished) return;
      finished = true;
      if (o.tty && bar) o.write(CLEAR_LINE);
    },
  };
}
