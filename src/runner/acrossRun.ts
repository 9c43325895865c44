import type { Dialect } from "../iso8583/dialect.js";
import { tryUnpack } from "../iso8583/unpack.js";
import type { Direction, TraceEvent } from "../trace/traceEvent.js";

/** A frame of an earlier scenario, kept as its bytes only: a run keeps one or two per value it has met. */
interface KeptFrame {
  dir: Direction;
  conn: string;
  t: number;
  bytes: string;
}

/**
 * A value an earlier scenario of the run holds (`Property.acrossRun`): what it belonged to, in
 * which scenario, and the frames that showed it there (a request and its answer, a few hundred
 * bytes), so a later scenario that meets it again can show both.
 */
export interface RunValue {
  what: string;
  scenario: number;
  frames: readonly KeptFrame[];
}

/** The frames among `seqs` of `trace`, kept. */
export function framesOf(trace: readonly TraceEvent[], seqs: readonly number[]): KeptFrame[] {
  return seqs.flatMap((seq) => {
    const e = trace[seq]?.seq === seq ? trace[seq] : trace.find((x) => x.seq === seq);
    return e?.kind === "frame" ? [{ dir: e.dir, conn: e.conn ?? "", t: e.t, bytes: e.bytes }] : [];
  });
}

/**
 * Appends to `shown` (a later scenario's trace) a note and the earlier scenario's frames of `v`,
 * decoded again, on connections named after that scenario (`s20.c1`), so the report draws them
 * as a column of their own. Returns the appended frames' seqs. Their `t` is the earlier
 * scenario's, as the note says.
 */
export function appendEarlier(shown: TraceEvent[], v: RunValue, key: string, dialect: Dialect): number[] {
  const t = shown.at(-1)?.t ?? 0;
  shown.push({ seq: shown.length, t, dir: "kit", kind: "note", text: `scenario ${v.scenario} met ${key} first: its frames follow as recorded then (t on that scenario's clock)`, detail: { earlierScenario: v.scenario } });
  return v.frames.map((f) => {
    const seq = shown.length;
    const message = tryUnpack(dialect, Buffer.from(f.bytes, "hex"));
    shown.push({ seq, t: f.t, dir: f.dir, kind: "frame", conn: `s${v.scenario}.${f.conn}`, bytes: f.bytes, ...(message === undefined ? {} : { message }) });
    return seq;
  });
}
