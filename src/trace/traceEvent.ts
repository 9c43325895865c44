import type { Iso8583ErrorKind } from "../iso8583/errors.js";
import type { Message } from "../iso8583/message.js";

/** Who sent it: the kit to the system under test, the SUT to the kit, or the kit's own note. */
export const DIRECTIONS = ["kit→sut", "sut→kit", "kit"] as const;
export type Direction = (typeof DIRECTIONS)[number];

/**
 * What happened. Frames both ways; `keepalive` and `link-error` from the framing; the rest are
 * kit events: a connection opened or closed, a fault the kit applied, a wait that ran out, a
 * control-link command and its result, the start of a scenario step, a free-text note.
 */
export const TRACE_EVENT_KINDS = [
  "frame",
  "keepalive",
  "link-error",
  "connect",
  "disconnect",
  "fault",
  "timeout",
  "control",
  "step",
  "note",
] as const;
export type TraceEventKind = (typeof TRACE_EVENT_KINDS)[number];

/** Why a frame did not decode: the `Iso8583Error` as data. */
export interface DecodeFailure {
  field: string;
  offset: number | undefined;
  kind: Iso8583ErrorKind;
  reason: string;
}

/**
 * One entry of a trace: every frame both ways, decoded and timed, and the kit's own events.
 * Properties read nothing else, so a trace saved as JSONL can be re-checked offline.
 */
export interface TraceEvent {
  /** Position in the trace, from 0. */
  seq: number;
  /** Milliseconds since the trace started, on the run's clock (virtual for in-process SUTs). */
  t: number;
  dir: Direction;
  kind: TraceEventKind;
  /** The scenario step the kit was executing, when there is one. */
  step?: number;
  /** Connection id (`c1`, …), for frames and connection events. */
  conn?: string;
  /**
   * The frame body (no transport length) as upper-case hex; for a `link-error`, the bytes the
   * error is about. In a masked trace, `*` replaces the hex of card data.
   */
  bytes?: string;
  /** The decoded frame. */
  message?: Message;
  /** Why the frame did not decode. */
  decodeError?: DecodeFailure;
  /** Kit events: fault name and parameters, timeout length, control command and result, reasons. */
  detail?: Record<string, unknown>;
  /** A sentence for people. */
  text?: string;
}
