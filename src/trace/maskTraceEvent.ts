import type { Dialect } from "../iso8583/dialect.js";
import { Iso8583Error } from "../iso8583/errors.js";
import type { FieldSpan, Message } from "../iso8583/message.js";
import { unpack } from "../iso8583/unpack.js";
import { maskMessage } from "./mask.js";
import type { TraceEvent } from "./traceEvent.js";

/**
 * Bytes a link error may show in a masked trace: enough for any length header or an STX, which
 * is what the error is about. A link error's bytes are not a message, so where card data lies in
 * them is unknown: the rest is hidden.
 */
export const LINK_ERROR_CLEAR_BYTES = 4;

/**
 * A copy of `event` with card data masked in both views: `message` by `maskMessage`, and the
 * `bytes` hex, where a PAN is as readable (BCD digits are its hex). Returns `event` itself when
 * nothing needs masking.
 */
export function maskTraceEvent(event: TraceEvent, dialect: Dialect): TraceEvent {
  if (event.kind === "link-error") {
    const bytes = maskOpaqueHex(event.bytes);
    return bytes === event.bytes ? event : { ...event, bytes };
  }
  if (event.kind !== "frame") return event;
  const message = event.message && maskMessage(event.message);
  const bytes = maskFrameHex(dialect, event.bytes);
  if (message === event.message && bytes === event.bytes) return event;
  const masked = { ...event, bytes };
  if (message !== undefined) masked.message = message;
  return masked;
}

/**
 * The hex of one frame body with `*` over the data of every field that `maskMessage` changes,
 * found by decoding with spans. A frame that does not decode is hidden past `clearBeforeFailure`
 * (its length stays visible).
 */
export function maskFrameHex(dialect: Dialect, hex: string): string {
  if (hex.includes("*")) return hex; // masked already (a masked trace read back)
  if (!/^(?:[0-9A-Fa-f]{2})*$/.test(hex)) return maskOpaqueHex(hex, 0); // not bytes: hide it whole
  const frame = Buffer.from(hex, "hex");
  const spans: FieldSpan[] = [];
  let message: Message;
  let failure: Iso8583Error | undefined;
  try {
    message = unpack(dialect, frame, spans);
  } catch (error) {
    if (!(error instanceof Iso8583Error)) throw error;
    failure = error;
    message = error.partial ?? { mti: "", fields: {} };
  }
  const masked = maskMessage(message);
  const hidden: Array<[start: number, end: number]> = [];
  for (const span of spans) {
    const value = message.fields[span.field];
    if (value !== undefined && masked.fields[span.field] !== value) hidden.push([span.dataStart, span.end]);
  }
  if (failure) hidden.push([clearBeforeFailure(spans), frame.length]);
  return star(hex, hidden);
}

/**
 * Where the clear part of a frame that does not decode ends: after its header, MTI and primary
 * bitmap, which sit at fixed places and hold no card data. Nothing after them can be trusted: a
 * corrupt bitmap bit or length moves a PAN, a track or a PIN block into fields that are never
 * masked (a secondary bitmap read from the PAN's digits, a PAN read as field 3).
 */
export function clearBeforeFailure(spans: readonly FieldSpan[]): number {
  let end = 0;
  for (const span of spans) if (span.field === "h" || span.field === "t" || span.field === "p") end = Math.max(end, span.end);
  return end;
}

/** Hex of bytes that are not a message: the first LINK_ERROR_CLEAR_BYTES stay, the rest is hidden. */
function maskOpaqueHex(hex: string, clearBytes = LINK_ERROR_CLEAR_BYTES): string {
  return star(hex, [[clearBytes, hex.length / 2]]);
}

/** `hex` with `*` over the given byte ranges (two per byte). */
function star(hex: string, ranges: ReadonlyArray<readonly [number, number]>): string {
  let out = hex;
  for (const [start, end] of ranges) {
    const from = Math.min(2 * start, hex.length);
    const to = Math.min(2 * end, hex.length);
    if (to > from) out = out.slice(0, from) + "*".repeat(to - from) + out.slice(to);
  }
  return out;
}
