import type { TraceEvent, UnstampedEvent } from "../../../src/trace/traceEvent.js";

/** The teardown note every host scenario records (KitTerminal): 68 characters as the diagram writes it, `note — …`. */
export const TEARDOWN = "teardown: reverse what is pending, then settle every terminal";
const LONG = "the terminal answered with a message that goes on and on about what it did, why, and what it will do next time";

/** Events of every kind of row, each with more text than its place holds. */
export const LONG_TEXT_TRACE: TraceEvent[] = (
  [
    { dir: "kit", kind: "note", text: TEARDOWN },
    { dir: "kit", kind: "connect", conn: "c1", detail: { peer: "tcp://sut.example.internal.payments.lab:58583" } },
    { dir: "kit", kind: "step", step: 0, text: `TERM0001 purchase(1.00)+drop ${LONG}` },
    // A link error's label is its code: a long one stands for any label too long for its arrow.
    { dir: "kit→sut", kind: "link-error", conn: "c1", bytes: "00", detail: { code: LONG.replaceAll(" ", "_"), reason: LONG, fatal: false } },
    { dir: "kit", kind: "fault", detail: { fault: "decline", conn: "c2", mti: "0200", stan: "000002", code: "05" }, text: "declined with 05" },
    { dir: "sut→kit", kind: "frame", conn: "c2", bytes: "00", decodeError: { field: "t", offset: 0, kind: "truncated", reason: "MTI is 1 bytes" } },
    { dir: "kit", kind: "control", detail: { op: "purchase", result: { outcome: "unknown", message: LONG } } },
    { dir: "kit", kind: "timeout", detail: { waitedMs: 30_000, stan: "000002", mti: "0200" }, text: LONG },
    { dir: "kit", kind: "note", step: -1, text: "a-single-word-that-is-far-too-long-for-any-line-of-the-diagram-to-hold-in-one-piece-or-two" },
    { dir: "kit", kind: "note", text: `SUT log: ${"\u0001\u0002".repeat(6)} end` }, // shown as \u0001…: six characters each
    { dir: "kit", kind: "disconnect", conn: "c1", detail: { reason: `framing error: ${LONG}` } },
  ] satisfies UnstampedEvent[]
).map((e, seq): TraceEvent => ({ seq, t: seq * 1000, ...e }));
